package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.compiler.graph.StepNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The bash line each Batch container runs, as Metaflow's Batch layer writes it: set up logging, download and
 * extract the verified code package, then run Metaflow's own {@code init}/{@code step} commands for the step
 * with the run id {@code sfn-<execution name>} and the Batch job id as task id. Unlike Metaflow's, the line is
 * deterministic (no random file names), so the same flow and settings always compile to the same bytes.
 */
final class ContainerCommand {
    private static final String MFLOG = "mflog(){ T=$(date -u -Ins|tr , .); "
            + "echo \"[MFLOG|0|${T:0:26}Z|task|$T]$1\" >> $MFLOG_STDOUT; echo $1;  }";
    private static final String FLUSH = "flush_mflogs(){ python -m metaflow.mflog.save_logs; }";
    private static final String CONTROL_ID = "control-${AWS_BATCH_JOB_ID%%#*}";
    private static final String WORKER_ID = "${AWS_BATCH_JOB_ID%%#*}-node-$AWS_BATCH_JOB_NODE_INDEX";

    /** The DynamoDB attribute in which a switch step's container records the step it chose. */
    static final String SWITCH_ATTRIBUTE = "switch_next_step";
    /** A step's {@code --trigger <Flow>/<run>} option (or a blank) in a {@code @trigger_on_finish} flow. */
    static final String TRIGGER_OPTION = "FLOWGATE_TRIGGER_OPTION";

    /**
     * Hands the run's parameters to Metaflow's {@code init} without any shell: the execution input's
     * {@code METAFLOW_PARAMETERS} over {@code METAFLOW_DEFAULT_PARAMETERS}, each as {@code METAFLOW_INIT_<NAME>}
     * (a string as itself, anything else as JSON), then {@code exec} of the command that follows. Metaflow writes
     * {@code export METAFLOW_INIT_X="<json>"} lines to a file that bash sources, where {@code $(…)} executes.
     * A parameter name other than letters, digits, {@code _} and {@code -} stops the task. No single quote inside.
     */
    static final String PARAMETERS_TO_INIT = "import json, os, re, sys;"
            + " params = json.loads(os.environ.get(\"METAFLOW_DEFAULT_PARAMETERS\") or \"{}\");"
            + " given = json.loads(os.environ.get(\"METAFLOW_PARAMETERS\") or \"{}\");"
            + " isinstance(given, dict) or sys.exit(\"flowgate: the execution input Parameters is not a JSON object; not starting the run\");"
            + " params.update(given);"
            + " bad = [k for k in params if not re.fullmatch(\"[A-Za-z_][A-Za-z0-9_-]*\", k)];"
            + " bad and sys.exit(\"flowgate: refusing parameter name(s) %r (letters, digits, _ and - only); not starting the run\" % bad[:5]);"
            + " os.environ.update({\"METAFLOW_INIT_\" + k.upper().replace(\"-\", \"_\"): v if isinstance(v, str) else json.dumps(v)"
            + " for k, v in params.items()});"
            + " os.execvp(sys.argv[1], sys.argv[1:])";

    /**
     * Prints the task ids of a foreach's bodies (from DynamoDB, as Metaflow's {@code set_batch_environment
     * parent_tasks}) for a foreach join, instead of writing an {@code export} line bash sources; an id outside
     * letters, digits and {@code _.:-} stops the task. No single quote inside.
     */
    static final String PARENT_TASK_IDS = "import os, re, sys;"
            + " from metaflow.plugins.aws.step_functions.dynamo_db_client import DynamoDbClient;"
            + " ids = DynamoDbClient().get_parent_task_ids_for_foreach_join(os.environ[\"METAFLOW_SPLIT_PARENT_TASK_ID\"]);"
            + " bad = [i for i in ids if not re.fullmatch(\"[A-Za-z0-9_.:-]+\", i)];"
            + " bad and sys.exit(\"flowgate: refusing foreach parent task id(s) %r read from DynamoDB\" % bad[:5]);"
            + " print(\",\".join(ids))";

    /** Downloads s3://{@code argv[1]}/{@code argv[2]} to job.tar, as Metaflow's bootstrap does (bucket and key are arguments). */
    private static final String DOWNLOAD = "import boto3, os, sys; ep=os.getenv(\"METAFLOW_S3_ENDPOINT_URL\");"
            + " boto3.client(\"s3\", **({\"endpoint_url\":ep} if ep else {})).download_file(sys.argv[1], sys.argv[2], \"job.tar\")";

    /** The only forms {@code $FLOWGATE_TRIGGER_OPTION} may take before it is expanded unquoted into two words. */
    private static final String TRIGGER_OPTION_FORM = "^( |--trigger [A-Za-z_][A-Za-z0-9_]*/sfn-[A-Za-z0-9_.-]{1,80})$";

    private ContainerCommand() {
    }

    static String script(FlowGraph graph, StepNode node, CompileOptions options, StepResources resources, String stateMachine) {
        boolean parallel = node.isGang();
        String taskId = parallel ? CONTROL_ID : "${AWS_BATCH_JOB_ID}";
        List<String> setup = setup(identifier(graph.flowName()) + "/sfn-$METAFLOW_RUN_ID/" + identifier(node.name()) + "/" + taskId,
                parallel ? " MF_PARALLEL_CONTROL_TASK_ID=" + CONTROL_ID : "", options, "Task is starting.");

        String flowFile = flowFile(graph);
        String top = topLevelOptions(graph, node, options);
        List<String> steps = new ArrayList<>();
        if (graph.flowDecorator("trigger_on_finish").isPresent()) {
            // a bash regex must not be quoted on the right of =~ (it would match literally): it goes through a variable
            steps.add("{ flowgate_trigger_form=" + ShellQuote.quote(TRIGGER_OPTION_FORM) + "; [[ $" + TRIGGER_OPTION
                    + " =~ $flowgate_trigger_form ]] || { echo " + ShellQuote.quote("flowgate: refusing the trigger option in $"
                    + TRIGGER_OPTION + ": not '--trigger <Flow>/sfn-<execution>'") + " >&2; false; }; }");
        }
        if (node.name().equals(graph.start().name())) {
            steps.add("if ! python " + flowFile + " dump --max-value-size=0 sfn-${METAFLOW_RUN_ID}/_parameters/${AWS_BATCH_JOB_ID}-params"
                    + " >/dev/null 2>/dev/null; then python -c " + ShellQuote.quote(PARAMETERS_TO_INIT) + " python " + flowFile + " " + top
                    + " init --run-id sfn-$METAFLOW_RUN_ID --task-id ${AWS_BATCH_JOB_ID}-params" + tagOptions(options) + "; fi");
        }
        if (closedSplit(graph, node) == NodeType.FOREACH) {
            steps.add("METAFLOW_PARENT_TASK_IDS=$(python -c " + ShellQuote.quote(PARENT_TASK_IDS) + ")"
                    + " && export METAFLOW_PARENT_TASK_IDS");
        }
        StringBuilder step = new StringBuilder("python " + flowFile + " " + top + " step " + identifier(node.name())
                + " --run-id sfn-$METAFLOW_RUN_ID --task-id " + taskId + " --retry-count $((AWS_BATCH_JOB_ATTEMPT-1))"
                + " --max-user-code-retries " + resources.userRetries() + " --input-paths " + inputPaths(graph, node));
        if (parallel) {
            step.append(" --ubf-context ubf_control --split-index 0");
        } else if (node.inFuncs().size() == 1 && graph.step(node.inFuncs().get(0)).type() == NodeType.FOREACH) {
            step.append(" --split-index $METAFLOW_SPLIT_INDEX");
        }
        step.append(tagOptions(options));
        steps.add(step.toString());
        if (node.type() == NodeType.SWITCH) {
            steps.add(recordSwitchChoice(graph, node, options));
        }
        return String.join(" && ", setup) + " && " + logged(String.join(" && ", steps)) + "; c=$?; python -m metaflow.mflog.save_logs; exit $c";
    }

    /**
     * Metaflow's {@code --tag} options of {@code step-functions create}, after {@code init}'s and each step's other
     * options: every run and task gets the deployment's tags. Metaflow pastes each tag into the line unquoted;
     * Flowgate quotes it ({@code shlex.quote}), which leaves a plain tag the same word.
     */
    private static String tagOptions(CompileOptions options) {
        StringBuilder tags = new StringBuilder();
        options.tags().forEach(tag -> tags.append(" --tag ").append(ShellQuote.quote(tag)));
        return tags.toString();
    }

    /**
     * The bash line of an {@code @exit_hook} hook's Batch job: the same logging and code package bootstrap as a
     * step, then Metaflow's own exit hook script with the run's pathspec {@code <Flow>/sfn-<execution name>}, as
     * Metaflow's runtime (and its Argo deployer) invoke it. Its logs are saved under the pseudo step
     * {@code _hook_<function>}, as on Argo.
     */
    static String exitHookScript(FlowGraph graph, CompileOptions options, String function) {
        String logStep = "_hook_" + function.replaceAll("[^A-Za-z0-9_]", "_");
        List<String> setup = setup(identifier(graph.flowName()) + "/sfn-$METAFLOW_RUN_ID/" + logStep + "/${AWS_BATCH_JOB_ID}", "",
                options, "Lifecycle hook " + function + " is starting.");
        String hook = "python -m metaflow.plugins.exit_hook.exit_hook_script " + flowFile(graph) + " " + ShellQuote.quote(function)
                + " " + graph.flowName() + "/sfn-$METAFLOW_RUN_ID";
        return String.join(" && ", setup) + " && " + logged(hook) + "; c=$?; python -m metaflow.mflog.save_logs; exit $c";
    }

    /**
     * Logging setup and the code package download every container runs before its Metaflow command; the task's
     * logs go to {@code pathspec}.
     */
    private static List<String> setup(String pathspec, String extraExports, CompileOptions options, String startingMessage) {
        List<String> setup = new ArrayList<>();
        setup.add("true");
        setup.add("mkdir -p $PWD/.logs");
        setup.add("export PYTHONUNBUFFERED=x MF_PATHSPEC=" + pathspec
                + " MF_DATASTORE=s3 MF_ATTEMPT=$((AWS_BATCH_JOB_ATTEMPT-1)) MFLOG_STDOUT=$PWD/.logs/mflog_stdout"
                + " MFLOG_STDERR=$PWD/.logs/mflog_stderr" + extraExports);
        setup.add(MFLOG);
        setup.add(FLUSH);
        setup.add("mflog 'Setting up task environment.'");
        setup.add("if [ -z $METAFLOW_SKIP_INSTALL_DEPENDENCIES ]; then python -m pip install -qqq --no-compile --no-cache-dir"
                + " --disable-pip-version-check boto3 requests; fi");
        setup.add("mkdir metaflow");
        setup.add("cd metaflow");
        setup.add("mkdir .metaflow");
        String[] s3 = bucketAndKey(options.codePackageUrl());
        setup.add("i=0; while [ $i -le 5 ]; do mflog 'Downloading code package...'; python -c " + ShellQuote.quote(DOWNLOAD) + " "
                + ShellQuote.quote(s3[0]) + " " + ShellQuote.quote(s3[1]) + " && mflog 'Code package downloaded.'"
                + " && break; sleep 10; i=$((i+1)); done");
        setup.add("if [ $i -gt 5 ]; then mflog " + ShellQuote.quote("Failed to download code package from " + options.codePackageUrl()
                + " after 6 tries. Exiting...") + " && exit 1; fi");
        // the package the deployer verified and published, or nothing: checked before a byte of it is extracted
        setup.add("if ! echo " + ShellQuote.quote(options.codePackageSha256() + "  job.tar") + " | sha256sum -c --status; then mflog "
                + ShellQuote.quote("Code package job.tar does not have the SHA-256 the deployment verified ("
                        + options.codePackageSha256() + "); refusing to run it.") + "; flush_mflogs; exit 1; fi");
        setup.add("TAR_OPTIONS='--warning=no-timestamp' tar -xzf job.tar -C .");
        setup.add("export PYTHONPATH=$(pwd)/.mf_code:$(printenv PYTHONPATH)");
        setup.add("export METAFLOW_EXTRACTED_ROOT=$(pwd)");
        setup.add("mflog " + ShellQuote.quote(startingMessage));
        setup.add("flush_mflogs");
        return setup;
    }

    /** Runs {@code commands} with stdout and stderr teed into Metaflow's task logs. */
    private static String logged(String commands) {
        return "(" + commands + ") 1>> >(python -m metaflow.mflog.tee task $MFLOG_STDOUT)"
                + " 2>> >(python -m metaflow.mflog.tee task $MFLOG_STDERR >&2)";
    }

    /** The command of the worker nodes of a {@code @parallel} step: their own task ids and the task role. */
    static String workerScript(String controlScript) {
        return controlScript.replace("--task-id " + CONTROL_ID, "--task-id " + WORKER_ID)
                .replace("/" + CONTROL_ID + " MF_DATASTORE", "/" + WORKER_ID + " MF_DATASTORE")
                .replace("--ubf-context ubf_control --split-index 0", "--ubf-context ubf_task --split-index $AWS_BATCH_JOB_NODE_INDEX");
    }

    static String inputPaths(FlowGraph graph, StepNode node) {
        if (node.name().equals(graph.start().name())) {
            return "sfn-${METAFLOW_RUN_ID}/_parameters/${AWS_BATCH_JOB_ID}-params";
        }
        NodeType closed = closedSplit(graph, node);
        if (closed == NodeType.SPLIT) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < node.inFuncs().size(); i++) {
                parts.add("/${METAFLOW_PARENT_" + i + "_STEP}/${METAFLOW_PARENT_" + i + "_TASK_ID}");
            }
            return "sfn-${METAFLOW_RUN_ID}:" + String.join(",", parts);
        }
        if (reachedFromSeveralSteps(node)) {
            return "sfn-${METAFLOW_RUN_ID}/${METAFLOW_PARENT_STEP}/${METAFLOW_PARENT_TASK_ID}";
        }
        String parent = node.inFuncs().get(0);
        if (closed == NodeType.FOREACH) {
            return "sfn-${METAFLOW_RUN_ID}/" + parent + "/:${METAFLOW_PARENT_TASK_IDS}";
        }
        if (closed == NodeType.PARALLEL_FOREACH) {
            // every node's task, as Metaflow's runtime expands a @parallel join (the control task's mapper tasks):
            // control-<job id>, then <job id>-node-<i> for each worker
            int nodes = graph.step(node.splitParents().get(node.splitParents().size() - 1)).numParallel();
            StringBuilder tasks = new StringBuilder("control-${METAFLOW_PARENT_TASK_ID}");
            for (int i = 1; i < nodes; i++) {
                tasks.append(",${METAFLOW_PARENT_TASK_ID}-node-").append(i);
            }
            return "sfn-${METAFLOW_RUN_ID}/" + parent + "/:" + tasks;
        }
        return "sfn-${METAFLOW_RUN_ID}/" + parent + "/${METAFLOW_PARENT_TASK_ID}";
    }

    /**
     * After a switch step succeeded: read the step Metaflow chose from the task's {@code _transition} artifact
     * (through Metaflow's client, inside the container) and store it under the Batch job id, for the Choice state.
     * The item lives as long as Metaflow's foreach items: the workflow timeout (default 366 days) plus 90 days.
     */
    private static String recordSwitchChoice(FlowGraph graph, StepNode node, CompileOptions options) {
        String lifetime = options.workflowTimeoutSeconds() > 0
                ? Integer.toString(options.workflowTimeoutSeconds()) + " + 90 * 86400" : "456 * 86400";
        return "python -c 'import os, time, boto3; from metaflow import Task, namespace; namespace(None);"
                + " t = Task(\"" + identifier(graph.flowName()) + "/sfn-%s/" + identifier(node.name()) + "/%s\" % (os.environ[\"METAFLOW_RUN_ID\"],"
                + " os.environ[\"AWS_BATCH_JOB_ID\"])); chosen = t[\"_transition\"].data[0][0];"
                + " boto3.client(\"dynamodb\").put_item(TableName=os.environ[\"METAFLOW_SFN_DYNAMO_DB_TABLE\"],"
                + " Item={\"pathspec\": {\"S\": os.environ[\"AWS_BATCH_JOB_ID\"]}, \"" + SWITCH_ATTRIBUTE + "\": {\"S\": chosen},"
                + " \"ttl\": {\"N\": str(int(time.time()) + " + lifetime + ")}})'";
    }

    /** A step that is not a join but has several predecessors (the cases of a switch meet again there). */
    static boolean reachedFromSeveralSteps(StepNode node) {
        return node.type() != NodeType.JOIN && node.inFuncs().size() > 1;
    }

    /** For a join, the type of the split it closes; otherwise null. */
    static NodeType closedSplit(FlowGraph graph, StepNode node) {
        if (node.type() != NodeType.JOIN || node.splitParents().isEmpty()) {
            return null;
        }
        return graph.step(node.splitParents().get(node.splitParents().size() - 1)).type();
    }

    private static String topLevelOptions(FlowGraph graph, StepNode node, CompileOptions options) {
        List<String> top = new ArrayList<>();
        BatchDecoratorSpec.option(node, options.settings()).ifPresent(top::add);
        if (graph.flowDecorator("project").isPresent()) {
            if (options.branch() != null) {
                top.add("--branch " + ShellQuote.quote(options.branch()));
            }
            if (options.production()) {
                top.add("--production");
            }
        }
        top.add("--quiet --metadata=service --environment=local --datastore=s3 --datastore-root="
                + ShellQuote.quote(options.settings().datastoreRoot()) + " --event-logger=nullSidecarLogger --monitor=nullSidecarMonitor"
                + " --no-pylint" + (node.type() == NodeType.PARALLEL_FOREACH ? "" : " --with=step_functions_internal"));
        if (graph.flowDecorator("trigger_on_finish").isPresent()) {
            // Metaflow's own --trigger option of @trigger_on_finish: current.trigger is the upstream run
            top.add("$" + TRIGGER_OPTION);
        }
        return String.join(" ", top);
    }

    /** The flow file's name (without directories), as one shell word. */
    private static String flowFile(FlowGraph graph) {
        return ShellQuote.quote(graph.fileName().substring(graph.fileName().lastIndexOf('/') + 1));
    }

    /**
     * A flow or step name, which the parser only produces as Python identifiers; written bare into the command,
     * so anything else is a compiler bug and stops the compile rather than reaching a shell.
     */
    private static String identifier(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalStateException("'" + name + "' is not a Python identifier; it cannot be written into a container command");
        }
        return name;
    }

    private static String[] bucketAndKey(String url) {
        String path = url.startsWith("s3://") ? url.substring(5) : url;
        int slash = path.indexOf('/');
        return slash < 0 ? new String[]{path, ""} : new String[]{path.substring(0, slash), path.substring(slash + 1)};
    }
}

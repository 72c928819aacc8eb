package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Amazon States Language of a flow the way Metaflow's {@code step-functions create} does: one
 * {@code batch:submitJob.sync} Task per step running Metaflow's own step command, static splits as
 * {@code Parallel}, foreach as a DynamoDB {@code getItem} of the cardinality followed by a {@code Map}, state
 * carried between tasks in the Batch job {@code Parameters}. Beyond Metaflow: {@code @parallel} steps become
 * multi-node Batch jobs (node 0 the control task, the others workers), commands are deterministic, and
 * {@code @exit_hook} hooks run as Batch jobs after the run (see {@link #definition()}).
 */
public final class StateMachineGenerator {
    /** AWS Batch's limit on the size of a job's container overrides. */
    static final int CONTAINER_OVERRIDES_LIMIT = 8192;
    private static final ObjectMapper JSON = FlowgateJson.mapper();
    /** State names of the exit hook machinery; a step name is a Python identifier, so these never collide. */
    static final String RUN_STATE = "exit_hook:run";
    static final String RUN_SUCCEEDED = "exit_hook:run_succeeded";
    static final String RUN_FAILED_CHOICE = "exit_hook:run_failed?";
    static final String RUN_FAILED = "exit_hook:run_failed";
    static final String RUN_FAILED_STATES_ERROR = "exit_hook:run_failed:States";
    /** What a hook's Batch job gets: Metaflow's defaults for a task (1 vCPU, 4096 MiB), as its Argo deployer asks. */
    static final int HOOK_CPU = 1;
    static final int HOOK_MEMORY = 4096;
    /** A hook's time limit (or the deployment's runtime limit, when shorter); a hook that overruns is caught. */
    static final long HOOK_TIMEOUT_SECONDS = 3600;

    private final FlowGraph graph;
    private final CompileOptions options;
    private final DeploymentSettings settings;
    private final String stateMachineName;
    private final Map<String, CompiledFlow.JobDefinition> jobDefinitions = new LinkedHashMap<>();
    private final Map<String, String> deploymentEnvironment;
    private final ExitHooks exitHooks;

    public StateMachineGenerator(FlowGraph graph, CompileOptions options, String stateMachineName) {
        this.graph = graph;
        this.options = options;
        this.settings = options.settings();
        this.stateMachineName = stateMachineName;
        this.deploymentEnvironment = deploymentEnvironment();
        this.exitHooks = graph.flowDecorator("exit_hook").isPresent()
                ? ExitHooks.of(graph, StepResources.of(graph.start(), settings, graph.fileName()).container().image())
                : new ExitHooks(List.of(), List.of());
    }

    /**
     * The state machine. With {@code @exit_hook}, as Metaflow's runtime: after the end step succeeded the
     * {@code on_success} hooks run, after a failure the {@code on_error} hooks, each once, in order, each as its own
     * Batch job; a failing hook is caught and the next one runs, and the run keeps its outcome. With
     * {@code on_error} hooks the flow's states run inside the one-branch Parallel {@value #RUN_STATE}, whose
     * {@code Catch} leads to the hooks and then to a Fail state that ends the execution with the original cause and
     * error ({@code Flowgate.<error>} when the error is one of Step Functions' own {@code States.*}, which a Fail
     * state may not raise). Without {@code on_error} hooks the end step leads to the {@code on_success} hooks.
     * Failures Step Functions cannot catch ({@code States.Runtime}, {@code States.DataLimitExceeded}) and
     * executions stopped or timed out run no hook.
     */
    public ObjectNode definition() {
        ObjectNode root = JSON.createObjectNode();
        if (exitHooks.onError().isEmpty()) {
            root.put("StartAt", graph.start().name());
            putWorkflowTimeout(root);
            ObjectNode states = root.putObject("States");
            visit(graph.start(), states, null);
            if (!exitHooks.onSuccess().isEmpty()) {
                ObjectNode end = (ObjectNode) states.get(graph.end().name());
                end.remove("End");
                end.put("Next", hookStates(states, "on_success", exitHooks.onSuccess(), RUN_SUCCEEDED));
                states.putObject(RUN_SUCCEEDED).put("Type", "Succeed");
            }
            return root;
        }
        root.put("StartAt", RUN_STATE);
        putWorkflowTimeout(root);
        ObjectNode states = root.putObject("States");
        ObjectNode run = states.putObject(RUN_STATE);
        run.put("Type", "Parallel");
        ObjectNode flow = run.putArray("Branches").addObject();
        flow.put("StartAt", graph.start().name());
        visit(graph.start(), flow.putObject("States"), null);
        ObjectNode catcher = run.putArray("Catch").addObject();
        catcher.putArray("ErrorEquals").add("States.ALL");
        catcher.put("ResultPath", "$");
        catcher.put("Next", hookStates(states, "on_error", exitHooks.onError(), RUN_FAILED_CHOICE));
        if (exitHooks.onSuccess().isEmpty()) {
            run.put("End", true);
        } else {
            run.put("Next", hookStates(states, "on_success", exitHooks.onSuccess(), RUN_SUCCEEDED));
            states.putObject(RUN_SUCCEEDED).put("Type", "Succeed");
        }
        ObjectNode choice = states.putObject(RUN_FAILED_CHOICE);
        choice.put("Type", "Choice");
        choice.putArray("Choices").addObject().put("Variable", "$.Error").put("StringMatches", "States.*")
                .put("Next", RUN_FAILED_STATES_ERROR);
        choice.put("Default", RUN_FAILED);
        states.putObject(RUN_FAILED).put("Type", "Fail").put("ErrorPath", "$.Error").put("CausePath", "$.Cause");
        states.putObject(RUN_FAILED_STATES_ERROR).put("Type", "Fail")
                .put("ErrorPath", "States.Format('Flowgate.{}', $.Error)").put("CausePath", "$.Cause");
        return root;
    }

    /**
     * One Batch task per hook, chained in order; each one's failure is caught and leads on, as Metaflow's runtime
     * goes on after a failed hook. Returns the name of the first state.
     */
    private String hookStates(ObjectNode states, String phase, List<ExitHooks.Hook> hooks, String after) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            String name = "exit_hook:" + phase + ":" + hooks.get(i).function();
            if (name.length() > 80 || names.contains(name) || states.has(name)) {
                name = name.substring(0, Math.min(name.length(), 72)) + "#" + (i + 1);
            }
            names.add(name);
        }
        for (int i = 0; i < hooks.size(); i++) {
            String next = i + 1 < hooks.size() ? names.get(i + 1) : after;
            states.set(names.get(i), hookTask(hooks.get(i), next));
        }
        return names.get(0);
    }

    private ObjectNode hookTask(ExitHooks.Hook hook, String next) {
        StepResources resources = new StepResources(BatchContainer.defaults(Integer.toString(HOOK_CPU), HOOK_MEMORY,
                settings.jobQueue(), hook.image(), settings.jobRole()), 0, 0,
                Math.min(HOOK_TIMEOUT_SECONDS, settings.defaultRuntimeLimitSeconds()), Map.of());
        ObjectNode state = JSON.createObjectNode();
        state.put("Type", "Task");
        state.put("Resource", "arn:" + settings.partition() + ":states:::batch:submitJob.sync");
        ObjectNode p = state.putObject("Parameters");
        p.put("JobDefinition", jobDefinition(resources.container(), 0));
        String jobName = "SFN-" + graph.flowName() + "--_hook_" + hook.function().replaceAll("[^A-Za-z0-9_]", "_") + "--";
        p.put("JobName", jobName.length() > 128 ? jobName.substring(0, 128) : jobName);
        p.put("JobQueue", resources.container().queue());
        ObjectNode jobParameters = p.putObject("Parameters");
        jobParameters.put("metaflow.user", "SFN");
        jobParameters.put("metaflow.owner", options.owner());
        jobParameters.put("metaflow.flow_name", graph.flowName());
        jobParameters.put("metaflow.exit_hook", hook.function());
        jobParameters.put("metaflow.version", options.metaflowVersion());
        jobParameters.put("metaflow.run_id.$", "$$.Execution.Name");
        ObjectNode overrides = p.putObject("ContainerOverrides");
        overrides.putArray("Command").add("bash").add("-c").add(ContainerCommand.exitHookScript(graph, options, hook.function()));
        ArrayNode requirements = overrides.putArray("ResourceRequirements");
        requirements.addObject().put("Value", Integer.toString(HOOK_CPU)).put("Type", "VCPU");
        requirements.addObject().put("Value", Integer.toString(HOOK_MEMORY)).put("Type", "MEMORY");
        ArrayNode environment = overrides.putArray("Environment");
        hookEnvironment().forEach((name, value) -> {
            ObjectNode entry = environment.addObject().put("Name", name);
            if (value.startsWith("$$.")) {
                entry.put("Value.$", value);
            } else {
                entry.put("Value", value);
            }
        });
        p.putObject("RetryStrategy").put("Attempts", 1);
        p.putObject("Timeout").put("AttemptDurationSeconds", resources.timeoutSeconds());
        retryBatchThrottling(state);
        state.putNull("ResultPath");
        ObjectNode catcher = state.putArray("Catch").addObject();
        catcher.putArray("ErrorEquals").add("States.ALL");
        catcher.putNull("ResultPath");
        catcher.put("Next", next);
        state.put("Next", next);
        return state;
    }

    /** A hook's container: which run it follows. */
    private Map<String, String> hookEnvironment() {
        // everything else a hook needs (code package, datastore, service, flow, token) is the job definition's
        return Map.of("METAFLOW_RUN_ID", "$$.Execution.Name");
    }

    /** Metaflow's {@code --workflow-timeout}: the execution fails when still running after it. */
    private void putWorkflowTimeout(ObjectNode root) {
        if (options.workflowTimeoutSeconds() > 0) {
            root.put("TimeoutSeconds", options.workflowTimeoutSeconds());
        }
    }

    public List<CompiledFlow.JobDefinition> jobDefinitions() {
        return List.copyOf(jobDefinitions.values());
    }

    private void visit(StepNode node, ObjectNode states, String exit) {
        if (node.name().equals(exit) || states.has(node.name())) {
            return;
        }
        ObjectNode state = batchTask(node);
        states.set(node.name(), state);
        switch (node.type()) {
            case END -> state.put("End", true);
            case START, LINEAR, JOIN -> {
                String next = node.outFuncs().get(0);
                if (next.equals(exit)) {
                    state.put("End", true);
                } else {
                    state.put("Next", next);
                    visit(graph.step(next), states, exit);
                }
            }
            case PARALLEL_FOREACH -> {
                String next = node.outFuncs().get(0);
                state.put("Next", next);
                visit(graph.step(next), states, exit);
            }
            case SPLIT -> {
                String join = node.matchingJoin();
                String parallelName = sha224(String.join("&", node.outFuncs()));
                state.put("Next", parallelName);
                ObjectNode parallel = states.putObject(parallelName);
                parallel.put("Type", "Parallel");
                parallel.put("Next", join);
                ArrayNode branches = parallel.putArray("Branches");
                for (String branch : node.outFuncs()) {
                    ObjectNode sub = branches.addObject();
                    sub.put("StartAt", branch);
                    visit(graph.step(branch), sub.putObject("States"), join);
                }
                visit(graph.step(join), states, exit);
            }
            case FOREACH -> {
                String child = node.outFuncs().get(0);
                String join = node.matchingJoin();
                state.put("Next", "#" + child);
                ObjectNode lookup = states.putObject("#" + child);
                lookup.put("Type", "Task");
                lookup.put("Resource", "arn:" + settings.partition() + ":states:::dynamodb:getItem");
                ObjectNode p = lookup.putObject("Parameters");
                p.put("TableName", dynamoTable(node));
                p.putObject("Key").putObject("pathspec").put("S.$", "$.JobId");
                p.put("ConsistentRead", true);
                p.put("ProjectionExpression", "for_each_cardinality");
                lookup.put("ResultPath", "$.Result");
                lookup.put("Next", "*" + child);
                if (options.distributedMap()) {
                    distributedMap(child, join, states);
                    visit(graph.step(join), states, exit);
                    return;
                }
                ObjectNode map = states.putObject("*" + child);
                map.put("Type", "Map");
                map.put("MaxConcurrency", options.maxWorkers());
                map.put("ItemsPath", "$.Result.Item.for_each_cardinality.NS");
                putSplitInput(map.putObject("Parameters"));
                map.put("Next", join);
                ObjectNode iterator = map.putObject("Iterator");
                iterator.put("StartAt", child);
                iterator.putObject("ProcessorConfig").put("Mode", "INLINE");
                visit(graph.step(child), iterator.putObject("States"), join);
                map.put("OutputPath", "$[0]");
                visit(graph.step(join), states, exit);
            }
            case SWITCH -> switchStates(node, state, states, exit);
        }
    }

    /** What each split of a foreach starts with: the foreach step's job id and parameters, and its index. */
    private static void putSplitInput(ObjectNode input) {
        input.put("JobId.$", "$.JobId");
        input.put("SplitParentTaskId.$", "$.JobId");
        input.put("Parameters.$", "$.Parameters");
        input.put("Index.$", "$$.Map.Item.Value");
    }

    /**
     * Foreach as a Distributed Map: each split runs as a child execution with its own 25,000-event history, up
     * to {@code maxWorkers} (≤ 10,000) at once. Unlike the inline Map, the join does not read the first split's
     * output ({@code $[0]}): a Distributed Map cannot select one result without exporting all of them to S3
     * (Metaflow's ResultWriter + getObject + second Map), and every split's output would count against the
     * 256 KiB state limit. The join needs only what the foreach step's own output already holds — the run id
     * and the enclosing foreaches' split parents in {@code Parameters}, and its split parent, the foreach
     * step's {@code JobId} — so the Map discards the splits' results ({@code ResultPath: null}) and passes its
     * input on; each split ends with an empty output ({@code OutputPath: null}) so the discarded array stays
     * a few bytes per split.
     */
    private void distributedMap(String child, String join, ObjectNode states) {
        ObjectNode map = states.putObject("*" + child);
        map.put("Type", "Map");
        map.put("MaxConcurrency", options.maxWorkers());
        map.put("ItemsPath", "$.Result.Item.for_each_cardinality.NS");
        putSplitInput(map.putObject("ItemSelector"));
        map.put("Next", join);
        ObjectNode processor = map.putObject("ItemProcessor");
        processor.putObject("ProcessorConfig").put("Mode", "DISTRIBUTED").put("ExecutionType", "STANDARD");
        processor.put("StartAt", child);
        ObjectNode body = processor.putObject("States");
        visit(graph.step(child), body, join);
        body.fields().forEachRemaining(entry -> {
            if (entry.getValue().path("End").asBoolean(false)) {
                ((ObjectNode) entry.getValue()).putNull("OutputPath");
            }
        });
        map.putNull("ResultPath");
    }

    /**
     * A switch: the step's container records the step Metaflow chose ({@code _transition}) in the DynamoDB table
     * under its Batch job id; {@code ?<step>} reads it back and the Choice {@code <step>?} goes there. A value
     * with no case fails the execution, as Metaflow's runtime fails on an unexpected transition.
     */
    private void switchStates(StepNode node, ObjectNode state, ObjectNode states, String exit) {
        if (node.outFuncs().contains(node.name())) {
            throw new StepResources.StepProblem(node, graph.fileName(),
                    "a switch case that loops back to its own step cannot be compiled to Step Functions yet",
                    "move the loop inside the step, or run the flow with Metaflow's local runtime");
        }
        String lookupName = "?" + node.name();
        String choiceName = node.name() + "?";
        state.put("Next", lookupName);
        ObjectNode lookup = states.putObject(lookupName);
        lookup.put("Type", "Task");
        lookup.put("Resource", "arn:" + settings.partition() + ":states:::dynamodb:getItem");
        ObjectNode p = lookup.putObject("Parameters");
        p.put("TableName", dynamoTable(node));
        p.putObject("Key").putObject("pathspec").put("S.$", "$.JobId");
        p.put("ConsistentRead", true);
        p.put("ProjectionExpression", ContainerCommand.SWITCH_ATTRIBUTE);
        lookup.put("ResultPath", "$.Switch");
        lookup.put("Next", choiceName);
        ObjectNode choice = states.putObject(choiceName);
        choice.put("Type", "Choice");
        ArrayNode choices = choice.putArray("Choices");
        for (String target : node.outFuncs()) {
            choices.addObject().put("Variable", "$.Switch.Item." + ContainerCommand.SWITCH_ATTRIBUTE + ".S")
                    .put("StringEquals", target).put("Next", target);
        }
        String failName = node.name() + "!";
        choice.put("Default", failName);
        ObjectNode fail = states.putObject(failName);
        fail.put("Type", "Fail");
        fail.put("Error", "Flowgate.SwitchWithoutCase");
        fail.put("Cause", "step " + node.name() + " chose no step of its switch (" + String.join(", ", node.outFuncs()) + ")");
        for (String target : node.outFuncs()) {
            visit(graph.step(target), states, exit);
        }
    }

    private ObjectNode batchTask(StepNode node) {
        StepResources resources = StepResources.of(node, settings, graph.fileName());
        boolean parallelStep = node.isGang();
        int nodes = parallelStep ? numParallelOf(node) : 0;
        BatchContainer container = resources.container();
        String jobDefinition = jobDefinition(container, nodes);

        ObjectNode state = JSON.createObjectNode();
        state.put("Type", "Task");
        state.put("Resource", "arn:" + settings.partition() + ":states:::batch:submitJob.sync");
        ObjectNode p = state.putObject("Parameters");
        p.put("JobDefinition", jobDefinition);
        p.put("JobName", "SFN-" + graph.flowName() + "--" + node.name() + "--");
        p.put("JobQueue", container.queue());
        ObjectNode jobParameters = p.putObject("Parameters");
        jobParameters.put("metaflow.user", "SFN");
        jobParameters.put("metaflow.owner", options.owner());
        jobParameters.put("metaflow.flow_name", graph.flowName());
        jobParameters.put("metaflow.step_name", node.name());
        jobParameters.put("metaflow.version", options.metaflowVersion());
        jobParameters.put("step_name", node.name());
        String runIdPath = runIdPath(node);
        if (node.name().equals(graph.start().name())) {
            jobParameters.put("metaflow.production_token", options.productionToken());
        }
        jobParameters.put("metaflow.run_id.$", runIdPath);
        jobParameters.put("run_id.$", runIdPath);
        if (triggered()) {
            // carried from step to step like the run id, so every step gets current.trigger
            jobParameters.put("trigger_option.$", triggerOptionPath(node));
        }
        List<String> foreachParents = enclosingForeaches(node);
        for (String parent : foreachParents) {
            jobParameters.put("split_parent_task_id_" + parent + ".$", splitParentPath(node, parent));
        }

        ObjectNode overrides = JSON.createObjectNode();
        ArrayNode command = overrides.putArray("Command");
        command.add("bash").add("-c");
        String script = ContainerCommand.script(graph, node, options, resources, stateMachineName);
        command.add(script);
        ArrayNode requirements = overrides.putArray("ResourceRequirements");
        // Metaflow's order: VCPU, then GPU when asked for, then MEMORY
        requirements.addObject().put("Value", container.vcpu()).put("Type", "VCPU");
        if (container.gpu() > 0) {
            requirements.addObject().put("Type", "GPU").put("Value", Integer.toString(container.gpu()));
        }
        requirements.addObject().put("Value", Long.toString(container.memory())).put("Type", "MEMORY");
        ArrayNode environment = overrides.putArray("Environment");
        stepEnvironment(node, resources, runIdPath).forEach((name, value) -> {
            ObjectNode entry = environment.addObject();
            entry.put("Name", name);
            if (value.startsWith("$.") || value.startsWith("$[") || value.startsWith("$$.")) {
                entry.put("Value.$", value);
            } else {
                entry.put("Value", value);
            }
        });
        int size = FlowgateJson.write(overrides).getBytes(StandardCharsets.UTF_8).length;
        if (size > CONTAINER_OVERRIDES_LIMIT) {
            throw new StepResources.StepProblem(node, graph.fileName(), "its container overrides are " + size
                    + " bytes, above AWS Batch's limit of " + CONTAINER_OVERRIDES_LIMIT
                    + "", "shorten @environment values or move them into the job image");
        }
        if (nodes > 0) {
            ObjectNode nodeOverrides = p.putObject("NodeOverrides");
            nodeOverrides.put("NumNodes", nodes);
            ArrayNode perNode = nodeOverrides.putArray("NodePropertyOverrides");
            ObjectNode main = perNode.addObject();
            main.put("TargetNodes", "0:0");
            main.set("ContainerOverrides", overrides);
            if (nodes > 1) {
                ObjectNode workers = overrides.deepCopy();
                ((ArrayNode) workers.get("Command")).set(2, JSON.getNodeFactory().textNode(ContainerCommand.workerScript(script)));
                ObjectNode worker = perNode.addObject();
                worker.put("TargetNodes", "1:" + (nodes - 1));
                worker.set("ContainerOverrides", workers);
            }
        } else {
            p.set("ContainerOverrides", overrides);
        }
        p.putObject("RetryStrategy").put("Attempts", resources.attempts());
        p.putObject("Timeout").put("AttemptDurationSeconds", resources.timeoutSeconds());
        retryBatchThrottling(state);
        // Metaflow writes OutputPath "$.['JobId', 'Parameters', 'Index', 'SplitParentTaskId']" (a union path that
        // keeps JobId and Parameters of the Batch result); the same selection as a ResultSelector is valid ASL
        // for every validator.
        ObjectNode selector = state.putObject("ResultSelector");
        selector.put("JobId.$", "$.JobId");
        selector.put("Parameters.$", "$.Parameters");
        return state;
    }

    /** Retries Batch's throttling of SubmitJob (50 per second per account) and its transient errors. */
    private static void retryBatchThrottling(ObjectNode state) {
        ArrayNode retry = state.putArray("Retry");
        ObjectNode batchErrors = retry.addObject();
        batchErrors.putArray("ErrorEquals").add("Batch.AWSBatchException").add("Batch.TooManyRequestsException");
        batchErrors.put("BackoffRate", 2);
        batchErrors.put("IntervalSeconds", 2);
        batchErrors.put("MaxDelaySeconds", 60);
        batchErrors.put("MaxAttempts", 10);
        batchErrors.put("JitterStrategy", "FULL");
    }

    /**
     * The environment every step of this deployment shares (code package, metadata service, datastore, flow,
     * state machine, production token, versions). It lives in the registered job definition, not in each state's
     * container overrides: that keeps each {@code SubmitJob} far below AWS Batch's 8,192-byte overrides limit and
     * the definition far below Step Functions' 1 MB limit. Values are exactly those Metaflow puts in the overrides.
     */
    private Map<String, String> deploymentEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_DEFAULT_REGION", settings.region());
        env.put("METAFLOW_CODE_METADATA", options.codePackageMetadata());
        env.put("METAFLOW_CODE_SHA", options.codePackageSha());
        env.put("METAFLOW_CODE_URL", options.codePackageUrl());
        env.put("METAFLOW_CODE_DS", "s3");
        env.put("METAFLOW_USER", "SFN");
        env.put("METAFLOW_SERVICE_URL", settings.serviceUrl());
        env.put("METAFLOW_SERVICE_HEADERS", settings.serviceHeaders().orElse("{}"));
        env.put("METAFLOW_DATASTORE_SYSROOT_S3", settings.datastoreRoot());
        env.put("METAFLOW_DATATOOLS_S3ROOT", settings.datatoolsRoot());
        env.put("METAFLOW_DEFAULT_DATASTORE", "s3");
        env.put("METAFLOW_DEFAULT_METADATA", "service");
        env.putAll(settings.forwardedEnvironment());
        env.put("METAFLOW_RUNTIME_ENVIRONMENT", "aws-batch");
        settings.s3EndpointUrl().ifPresent(url -> env.put("METAFLOW_S3_ENDPOINT_URL", url));
        env.put("METAFLOW_FLOW_NAME", graph.flowName());
        env.put("METAFLOW_PRODUCTION_TOKEN", options.productionToken());
        env.put("SFN_STATE_MACHINE", stateMachineName);
        env.put("METAFLOW_OWNER", options.owner());
        env.put("METAFLOW_RUNTIME_NAME", "step-functions");
        env.put("USER", options.owner());
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("platform", "Linux");
        version.put("username", options.owner());
        version.put("production_token", options.productionToken());
        version.put("runtime", "step-functions");
        version.put("app", null);
        version.put("environment_type", "local");
        version.put("metaflow_version", options.metaflowVersion());
        version.put("flow_name", graph.flowName());
        env.put("METAFLOW_VERSION", FlowgateJson.write(version));
        boolean configs = graph.parameters().stream().anyMatch(p -> p.kind().equals("Config"));
        if (configs) {
            Map<String, String> kv = new LinkedHashMap<>();
            parametersInMetaflowsOrder().stream().filter(p -> p.kind().equals("Config")).forEach(p -> kv.put(p.name(), "kv." + p.name()));
            env.put("METAFLOW_FLOW_CONFIG_VALUE", PythonJson.dumps(kv));
        }
        return env;
    }

    /**
     * The environment only this step has (in its container overrides): its {@code @environment} variables, where
     * its inputs come from, its name and run id. As in Metaflow, a user variable with the name of one Metaflow
     * sets does not replace Metaflow's value: it is dropped here and the job definition's value applies.
     */
    private Map<String, String> stepEnvironment(StepNode node, StepResources resources, String runIdPath) {
        Map<String, String> env = new LinkedHashMap<>(resources.environment());
        env.keySet().removeAll(deploymentEnvironment.keySet());
        // METAFLOW_TEMPDIR on a tmpfs mount: Metaflow sets it before the user's variables, which cannot replace it
        env.remove("METAFLOW_TEMPDIR");
        env.putAll(resources.container().environment());
        if (node.name().equals(graph.start().name())) {
            // as Metaflow: only a flow with Parameters reads them from the execution input, so a flow without
            // any can be started with an empty input
            if (graph.parameters().stream().anyMatch(p -> !p.kind().equals("Config"))) {
                env.put("METAFLOW_PARAMETERS", "$.Parameters");
                env.put("METAFLOW_DEFAULT_PARAMETERS", defaultParameters());
            }
        } else if (node.type() == NodeType.JOIN && isForeachJoin(node)) {
            // after a Distributed Map the join's input is the foreach step's output: its split parent is that JobId
            env.put("METAFLOW_SPLIT_PARENT_TASK_ID", options.distributedMap() ? "$.JobId"
                    : "$.Parameters.split_parent_task_id_" + node.splitParents().get(node.splitParents().size() - 1));
        } else if (staticJoin(node)) {
            for (int i = 0; i < node.inFuncs().size(); i++) {
                env.put("METAFLOW_PARENT_" + i + "_TASK_ID", "$[" + i + "].JobId");
                env.put("METAFLOW_PARENT_" + i + "_STEP", "$[" + i + "].Parameters.step_name");
            }
        } else {
            env.put("METAFLOW_PARENT_TASK_ID", "$.JobId");
            if (ContainerCommand.reachedFromSeveralSteps(node)) {
                env.put("METAFLOW_PARENT_STEP", "$.Parameters.step_name");
            }
        }
        env.put("METAFLOW_INPUT_PATHS", ContainerCommand.inputPaths(graph, node));
        String foreachJoinParent = foreachBodyEnd(node);
        if (foreachJoinParent != null) {
            // as Metaflow: the same value the step passes on as its split_parent_task_id_<foreach> job parameter
            env.put("METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN", splitParentPath(node, foreachJoinParent));
        }
        if (node.isGang()) {
            // Metaflow's step_functions_internal decorator records every task that ends a split's branch for the
            // join; on a @parallel step it needs the launching step's job id and the table, or it fails the task
            env.put("METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN", "$.JobId");
        }
        if (node.type() == NodeType.FOREACH && options.workflowTimeoutSeconds() > 0) {
            // the foreach's DynamoDB items live for the workflow timeout + 90 days instead of 366 + 90; Metaflow 2.19
            // sets this only on foreach steps nested in a foreach (README: where the spec and Metaflow differ)
            env.put("METAFLOW_SFN_WORKFLOW_TIMEOUT", Integer.toString(options.workflowTimeoutSeconds()));
        }
        if (isFirstInForeachBody(node)) {
            env.put("METAFLOW_SPLIT_INDEX", "$.Index");
        }
        env.put("METAFLOW_STEP_NAME", node.name());
        env.put("METAFLOW_RUN_ID", runIdPath);
        if (triggered()) {
            // "--trigger <Flow>/sfn-<id>" when an upstream's success started the run, else " " (TriggerGate)
            env.put(ContainerCommand.TRIGGER_OPTION, triggerOptionPath(node));
        }
        if (node.type() == NodeType.FOREACH || node.type() == NodeType.SWITCH || foreachJoinParent != null || node.isGang()
                || (node.type() == NodeType.JOIN && isForeachJoin(node))) {
            env.put("METAFLOW_SFN_DYNAMO_DB_TABLE", dynamoTable(node));
        }
        return env;
    }

    private String defaultParameters() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (ParsedFlow.ParameterDef parameter : parametersInMetaflowsOrder()) {
            if (parameter.kind().equals("IncludeFile") && options.includedFiles().containsKey(parameter.name())) {
                // the uploaded default, as Metaflow's deploy-time evaluation writes it
                defaults.put(parameter.name(), options.includedFiles().get(parameter.name()));
                continue;
            }
            if (!parameter.kind().equals("Parameter")) {
                continue;
            }
            if (parameter.defaultValue().isPresent()) {
                Object literal = PyExpr.literal(parameter.defaultValue().get());
                if (literal == PyExpr.NOT_LITERAL) {
                    throw new StepResources.StepProblem(graph.start(), graph.fileName(), "Parameter '" + parameter.name()
                            + "' (line " + parameter.line() + ") has a default computed at run time ("
                            + parameter.defaultValue().get().source() + "); Flowgate compiles without running the flow",
                            "write the default literally, e.g. default=0.5");
                }
                if (literal != null) {
                    defaults.put(parameter.name(), literal);
                }
            }
        }
        return PythonJson.dumps(defaults);
    }

    /** Metaflow lists a flow's parameters with {@code dir(cls)}: sorted by attribute name. */
    private List<ParsedFlow.ParameterDef> parametersInMetaflowsOrder() {
        return graph.parameters().stream().sorted(java.util.Comparator.comparing(ParsedFlow.ParameterDef::attribute)).toList();
    }

    private boolean triggered() {
        return graph.flowDecorator("trigger_on_finish").isPresent();
    }

    /** Where a step finds its {@code --trigger} option: the gate's output for start, then the previous job's parameters. */
    private String triggerOptionPath(StepNode node) {
        if (node.name().equals(graph.start().name())) {
            return TriggerGate.OPTION_PATH + ".option";
        }
        return inputRoot(node) + ".Parameters.trigger_option";
    }

    /**
     * Where this step finds the Batch job id of the enclosing foreach step {@code foreach}: the Map item's
     * {@code SplitParentTaskId} for the first step of the body, else the job parameter its input carries — in the
     * first element of the Parallel state's array for a static join (its input is one output per branch).
     */
    private String splitParentPath(StepNode node, String foreach) {
        if (graph.step(foreach).outFuncs().get(0).equals(node.name())) {
            return "$.SplitParentTaskId";
        }
        return inputRoot(node) + ".Parameters.split_parent_task_id_" + foreach;
    }

    /** The root of what the step reads from its input: {@code $[0]} after a static split's Parallel state, else {@code $}. */
    private String inputRoot(StepNode node) {
        return staticJoin(node) ? "$[0]" : "$";
    }

    private String runIdPath(StepNode node) {
        if (node.name().equals(graph.start().name())) {
            return "$$.Execution.Name";
        }
        // Metaflow reads "$.Parameters.['metaflow.run_id']"; the dot-free duplicate "run_id" is the same value
        // addressed with plain JSONPath, which every ASL validator accepts
        return inputRoot(node) + ".Parameters.run_id";
    }

    /** A join of a static split: its input is the Parallel state's array. */
    private boolean staticJoin(StepNode node) {
        return ContainerCommand.closedSplit(graph, node) == NodeType.SPLIT;
    }

    /** A join closing a foreach: its parents are found through the DynamoDB bookkeeping. */
    private boolean isForeachJoin(StepNode node) {
        return ContainerCommand.closedSplit(graph, node) == NodeType.FOREACH;
    }

    /** Foreach steps whose body contains this node (the foreach a join closes excluded). */
    private List<String> enclosingForeaches(StepNode node) {
        List<String> result = new ArrayList<>();
        int limit = node.type() == NodeType.JOIN ? node.splitParents().size() - 1 : node.splitParents().size();
        for (int i = 0; i < limit; i++) {
            String parent = node.splitParents().get(i);
            if (graph.step(parent).type() == NodeType.FOREACH) {
                result.add(parent);
            }
        }
        return result;
    }

    /** The foreach whose join follows this node directly (this node ends a foreach body), else null. */
    private String foreachBodyEnd(StepNode node) {
        if (node.outFuncs().size() != 1 || node.type() == NodeType.END) {
            return null;
        }
        StepNode next = graph.step(node.outFuncs().get(0));
        if (next.type() != NodeType.JOIN || next.splitParents().isEmpty()) {
            return null;
        }
        String split = next.splitParents().get(next.splitParents().size() - 1);
        return graph.step(split).type() == NodeType.FOREACH ? split : null;
    }

    private boolean isFirstInForeachBody(StepNode node) {
        return node.inFuncs().size() == 1 && graph.step(node.inFuncs().get(0)).type() == NodeType.FOREACH;
    }

    private String dynamoTable(StepNode node) {
        return settings.dynamoTable().orElseThrow(() -> new StepResources.StepProblem(node, graph.fileName(),
                "a foreach on Step Functions needs a DynamoDB table for its bookkeeping",
                "set METAFLOW_SFN_DYNAMO_DB_TABLE in the deployment settings"));
    }

    private int numParallelOf(StepNode node) {
        for (String parent : node.inFuncs()) {
            StepNode p = graph.step(parent);
            if (p.type() == NodeType.PARALLEL_FOREACH) {
                return p.numParallel();
            }
        }
        return 1;
    }

    /** Registers (in the output) the job definition the container needs; returns its name. */
    private String jobDefinition(BatchContainer container, int nodes) {
        CompiledFlow.JobDefinition definition = BatchJobDefinition.of(container, deploymentEnvironment, settings.serviceAuthKey(), nodes);
        jobDefinitions.putIfAbsent(definition.name(), definition);
        return definition.name();
    }

    static String sha224(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-224").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

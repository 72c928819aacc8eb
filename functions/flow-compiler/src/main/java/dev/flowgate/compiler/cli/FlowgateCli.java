package dev.flowgate.compiler.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.asl.IncludedFile;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graphinfo.RecordedGraph;
import dev.flowgate.compiler.graphinfo.RunGraphCheck;
import dev.flowgate.compiler.parse.ConfigInputs;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.limits.StepFunctionsLimits;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * {@code flowgate compile} and {@code flowgate graph}. Exit codes: 0 done, 2 bad input (the problems on
 * stderr, each naming file, line, step and fix).
 */
public final class FlowgateCli {
    static final String USAGE = """
            usage: flowgate compile FLOW.py --settings SETTINGS.json [--code-url S3_URL --code-sha SHA --code-sha256 SHA256]
                                   [--branch BRANCH | --production] [--owner NAME] [--schedule-out FILE]
                                   [--job-definitions-out FILE] [--use-distributed-map]
                                   [--max-workers N] [--workflow-timeout SECONDS] [--tag TAG]...
                                   [--config NAME PATH]... [--config-value NAME JSON]... [--graph-info FILE]
                   flowgate graph FLOW.py [--dot] [--config NAME PATH]... [--config-value NAME JSON]...

            compile  prints the Step Functions state machine (Amazon States Language JSON) of the flow; SETTINGS.json
                     is a Metaflow config file (METAFLOW_DATASTORE_SYSROOT_S3, METAFLOW_BATCH_JOB_QUEUE, ...).
                     --schedule-out writes how the deployed flow starts by itself to FILE: the schedule of
                     @schedule (expression and time zone) and the upstream state machines of @trigger_on_finish.
                     --job-definitions-out writes the AWS Batch job definitions the states name (RegisterJobDefinition
                     requests, with the environment every step shares) to FILE as a JSON list.
                     --use-distributed-map runs each foreach as a Distributed Map (child executions, up to
                     --max-workers splits at once, at most 10000; default 100; an inline Map runs at most 40).
                     --workflow-timeout fails an execution still running after SECONDS (1 to 31536000, one year).
                     --tag TAG (repeatable) puts TAG on every run of the deployment and its tasks, as Metaflow's
                     step-functions create --tag (at most 50 tags, each 1 to 500 characters).
                     --graph-info FILE takes a run's record (its _graph_info artifact as JSON, e.g.
                     json.dump(Run('Flow/1')['start'].task['_graph_info'].data, f)): the decorators the run's
                     mutators inserted are compiled in (never running the mutators), and any difference between
                     the compiled flow and the record is an error naming step, decorator and attribute.
                     --code-url must be an s3:// URL under the datastore root or the verified-package prefix
                     (s3://<datastore bucket>/flowgate/verified/); every container checks the downloaded package
                     against --code-sha256 before extracting it, and refuses to run without a match (so a state
                     machine compiled without --code-sha256 runs no code).
            graph    prints the flow's steps and transitions, or Graphviz DOT with --dot.
            Configs: decorator arguments read from a Config (cfg.key, cfg["key"], config_expr("name.key")) take
                     its value as Metaflow determines it at deploy time: --config NAME PATH (a JSON file) or
                     --config-value NAME JSON, else the Config's default_value=, else its default= file read
                     relative to the flow file's directory.
            The flow file is parsed, never run.
            """;

    private FlowgateCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        if (rest.contains("-h") || rest.contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        try {
            return switch (args[0]) {
                case "compile" -> compile(rest, out, err);
                case "graph" -> graph(rest, out);
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (FlowLintException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return 2;
        } catch (BadArgument | DeploymentSettings.SettingsException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int compile(List<String> args, PrintStream out, PrintStream err) {
        Map<String, String> configs = configOptions(args);
        List<String> tags = repeated(args, "--tag");
        Map<String, String> options = options(args, List.of("--settings", "--code-url", "--code-sha", "--code-sha256", "--branch", "--owner",
                "--schedule-out", "--production-token", "--max-workers", "--workflow-timeout", "--job-definitions-out",
                "--graph-info"),
                List.of("--production", "--use-distributed-map"));
        int maxWorkers = options.containsKey("--max-workers") ? limit("--max-workers", options.get("--max-workers"),
                StepFunctionsLimits::maxWorkers) : 0;
        int workflowTimeout = options.containsKey("--workflow-timeout") ? limit("--workflow-timeout",
                options.get("--workflow-timeout"), StepFunctionsLimits::workflowTimeoutSeconds) : 0;
        String flowFile = single(args);
        if (!options.containsKey("--settings")) {
            throw new BadArgument("--settings SETTINGS.json is required (a Metaflow config file)");
        }
        Map<String, String> config = readSettings(Path.of(options.get("--settings")));
        FlowGraph graph = parse(flowFile, configs);
        if (options.containsKey("--graph-info")) {
            RunGraphCheck check = checkAgainstRun(graph, Path.of(options.get("--graph-info")));
            if (!check.matches()) {
                check.differences().forEach(d -> err.println("error: " + d.describe()));
                return 2;
            }
            check.honoured().forEach(h -> err.println("note: taken from the run's record: " + h));
            err.println("note: " + check.summary());
            graph = check.graph();
        } else if (!graph.userDecorators().isEmpty()) {
            err.println("warning: " + graph.flowName() + " uses decorators Flowgate never runs ("
                    + String.join(", ", graph.userDecorators()) + "); whatever they add (e.g. a mutator's @retry or @batch)"
                    + " is missing from this state machine. Pass --graph-info with a run's record to compile it in;"
                    + " deployments take it from the prod_ready run");
        }
        DeploymentSettings settings = DeploymentSettings.fromConfig(config);
        CompileOptions compileOptions;
        try {
            compileOptions = CompileOptions.builder().settings(settings)
                    .codePackageUrl(options.get("--code-url"))
                    .codePackageSha(options.get("--code-sha"))
                    .codePackageSha256(options.get("--code-sha256"))
                    .branch(options.get("--branch"))
                    .production(options.containsKey("--production"))
                    .productionToken(options.get("--production-token"))
                    .owner(options.get("--owner"))
                    .maxWorkers(maxWorkers)
                    .distributedMap(options.containsKey("--use-distributed-map"))
                    .workflowTimeoutSeconds(workflowTimeout)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BadArgument("--code-url/--code-sha256: " + e.getMessage());
        }
        try {
            compileOptions = compileOptions.toBuilder().tags(tags).build();
        } catch (IllegalArgumentException e) {
            throw new BadArgument("--tag: " + e.getMessage());
        }
        compileOptions = compileOptions.toBuilder()
                .includedFiles(includedFiles(graph, Path.of(flowFile), compileOptions, err)).build();
        CompiledFlow compiled = FlowCompiler.compile(graph, compileOptions);
        out.println(pretty(compiled.definitionJson()));
        if (options.containsKey("--schedule-out")) {
            Map<String, Object> schedule = new LinkedHashMap<>();
            schedule.put("state_machine", compiled.stateMachineName());
            schedule.put("schedule_expression", compiled.scheduleExpression().orElse(null));
            schedule.put("schedule_timezone", compiled.schedule().flatMap(CompiledFlow.Schedule::timezone).orElse(null));
            schedule.put("trigger_on_finish", compiled.finishTriggers().stream().map(FlowgateCli::finishTrigger).toList());
            write(Path.of(options.get("--schedule-out")), pretty(FlowgateJson.write(schedule)) + "\n");
        }
        if (options.containsKey("--job-definitions-out")) {
            StringBuilder list = new StringBuilder("[");
            compiled.jobDefinitions().forEach(d -> list.append(list.length() > 1 ? "," : "").append(d.registrationJson()));
            write(Path.of(options.get("--job-definitions-out")), pretty(list.append(']').toString()) + "\n");
        }
        err.println("compiled " + graph.flowName() + " to state machine " + compiled.stateMachineName() + " ("
                + compiled.jobDefinitions().size() + " job definition(s)"
                + compiled.schedule().map(s -> ", schedule " + s.expression() + s.timezone().map(z -> " in " + z).orElse(""))
                        .orElse("")
                + compiled.finishTriggers().stream().map(t -> ", after " + t.stateMachineName() + " succeeds")
                        .reduce("", String::concat) + ")");
        return 0;
    }

    /**
     * The defaults of the flow's {@code IncludeFile} parameters, read next to the flow file: the descriptor of the
     * upload a deployment makes (the deployer uploads them from git; this command only prints where).
     */
    private static Map<String, String> includedFiles(FlowGraph graph, Path flowFile, CompileOptions options, PrintStream err) {
        Map<String, String> descriptors = new LinkedHashMap<>();
        for (IncludedFile file : IncludedFile.of(graph)) {
            Path local = flowFile.toAbsolutePath().getParent().resolve(file.defaultPath()).normalize();
            byte[] content;
            try {
                content = Files.readAllBytes(local);
            } catch (IOException e) {
                throw new BadArgument("IncludeFile '" + file.parameter() + "' reads " + file.defaultPath()
                        + " by default, which is not at " + local + "; the deployer needs it in the repository next to the flow");
            }
            String location = IncludedFile.location(options.settings().datatoolsRoot(), graph.flowName(), content);
            descriptors.put(file.parameter(), file.descriptor(location, content.length));
            err.println("note: IncludeFile '" + file.parameter() + "' default " + file.defaultPath() + " is read from "
                    + location + " (a deployment uploads it there, gzip-compressed, as Metaflow does)");
        }
        return descriptors;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new BadArgument("cannot write " + file + ": " + e.getMessage());
        }
    }

    private static int limit(String option, String value, ToIntFunction<String> parse) {
        try {
            return parse.applyAsInt(value);
        } catch (IllegalArgumentException e) {
            throw new BadArgument(option + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> finishTrigger(CompiledFlow.FinishTrigger trigger) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow", trigger.flow());
        out.put("project", trigger.project().orElse(null));
        out.put("branch", trigger.branch().orElse(null));
        out.put("state_machine", trigger.stateMachineName());
        return out;
    }

    private static int graph(List<String> args, PrintStream out) {
        Map<String, String> configs = configOptions(args);
        Map<String, String> options = options(args, List.of(), List.of("--dot"));
        String flowFile = single(args);
        FlowGraph graph = parse(flowFile, configs);
        out.print(options.containsKey("--dot") ? graph.dot() : graph.describe());
        return 0;
    }

    /** The flow checked against a run's record (JSON of its _graph_info artifact). */
    private static RunGraphCheck checkAgainstRun(FlowGraph graph, Path recordFile) {
        try {
            return RunGraphCheck.of(graph, RecordedGraph.fromJson(read(recordFile)));
        } catch (RecordedGraph.Malformed e) {
            throw new BadArgument("--graph-info " + recordFile + ": " + e.getMessage());
        }
    }

    /** The flow, its Configs' default= files read next to it (never run). */
    private static FlowGraph parse(String flowFile, Map<String, String> configs) {
        Path path = Path.of(flowFile);
        return FlowCompiler.parse(flowFile, read(path), new ConfigInputs(FlowCompiler.configFilesNextTo(path), configs));
    }

    /**
     * Removes {@code --config NAME PATH} (the file read now, relative to the working directory, as Metaflow does)
     * and {@code --config-value NAME JSON} from args; returns config name → JSON text. A name given twice is refused.
     */
    private static Map<String, String> configOptions(List<String> args) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); ) {
            String arg = args.get(i);
            if (!arg.equals("--config") && !arg.equals("--config-value")) {
                i++;
                continue;
            }
            if (i + 2 >= args.size()) {
                throw new BadArgument(arg + " needs a config name and a " + (arg.equals("--config") ? "file" : "JSON value"));
            }
            String name = args.get(i + 1);
            String value = args.get(i + 2);
            if (configs.containsKey(name)) {
                throw new BadArgument("config '" + name + "' is given twice; give one --config or --config-value per config");
            }
            configs.put(name, arg.equals("--config") ? read(Path.of(value)) : value);
            args.subList(i, i + 3).clear();
        }
        return configs;
    }

    /** Removes every {@code OPTION VALUE} pair of a repeatable option from args; returns the values in order. */
    private static List<String> repeated(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); ) {
            if (!args.get(i).equals(option)) {
                i++;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new BadArgument(option + " needs a value");
            }
            values.add(args.get(i + 1));
            args.subList(i, i + 2).clear();
        }
        return values;
    }

    private static String pretty(String json) {
        try {
            return FlowgateJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(FlowgateJson.parse(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> readSettings(Path path) {
        JsonNode node;
        try {
            node = FlowgateJson.parse(read(path));
        } catch (FlowgateJson.MalformedJsonException e) {
            throw new BadArgument(path + " is not valid JSON: " + e.getMessage().replaceFirst("^request body is not valid JSON: ", ""));
        }
        if (!node.isObject()) {
            throw new BadArgument(path + " must be a JSON object like a Metaflow config file");
        }
        Map<String, Object> raw = FlowgateJson.mapper().convertValue(node, new TypeReference<>() { });
        Map<String, String> config = new LinkedHashMap<>();
        raw.forEach((k, v) -> config.put(k, v == null ? null : String.valueOf(v)));
        return config;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new BadArgument(path + " does not exist");
        } catch (IOException e) {
            throw new BadArgument("cannot read " + path + ": " + e.getMessage());
        }
    }

    /** Removes recognised options from args, returning them; flags map to "". */
    private static Map<String, String> options(List<String> args, List<String> withValue, List<String> flags) {
        Map<String, String> found = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); ) {
            String arg = args.get(i);
            if (withValue.contains(arg)) {
                if (i + 1 >= args.size()) {
                    throw new BadArgument(arg + " needs a value");
                }
                found.put(arg, args.get(i + 1));
                args.remove(i);
                args.remove(i);
            } else if (flags.contains(arg)) {
                found.put(arg, "");
                args.remove(i);
            } else if (arg.startsWith("--")) {
                throw new BadArgument("unknown option " + arg + " (see --help)");
            } else {
                i++;
            }
        }
        return found;
    }

    private static String single(List<String> args) {
        if (args.size() != 1) {
            throw new BadArgument("expected exactly one FLOW.py, got " + args);
        }
        return args.get(0);
    }

    private static int usage(PrintStream err, String message) {
        err.println("error: " + message);
        err.print(USAGE);
        return 2;
    }

    private static final class BadArgument extends RuntimeException {
        BadArgument(String message) {
            super(message);
        }
    }
}

package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.StateMachineGenerator;
import dev.flowgate.compiler.asl.StepResources;
import dev.flowgate.compiler.asl.TriggerGate;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.GraphBuilder;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.parse.ConfigEvaluator;
import dev.flowgate.compiler.parse.ConfigInputs;
import dev.flowgate.compiler.parse.FlowParser;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.compiler.parse.SyntaxProblem;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.MetaflowNames;
import dev.flowgate.model.naming.StateMachineNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The compiler's public API: {@link #parse} reads a flow file (never running it) into a validated graph;
 * {@link #compile} turns the graph and one deployment's options into a Step Functions state machine. Every
 * refusal is a {@link FlowLintException} whose problems name file, line, step and the fix.
 */
public final class FlowCompiler {
    /** Step Functions' limit on a state machine definition. */
    public static final int DEFINITION_LIMIT_BYTES = 1_048_576;
    private static final Set<String> REFUSED_FLOW_DECORATORS = Set.of("trigger");

    private FlowCompiler() {
    }

    /**
     * Reads and parses a flow file (UTF-8); the file name in problems is the path as given. A {@code Config}'s
     * {@code default=} file is read from disk relative to the flow file's directory.
     */
    public static FlowGraph parse(Path file) throws IOException {
        return parse(file, Map.of());
    }

    /** As {@link #parse(Path)}, with Config values given by name as JSON text (the CLI's --config/--config-value). */
    public static FlowGraph parse(Path file, Map<String, String> configOverrides) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8),
                new ConfigInputs(configFilesNextTo(file), configOverrides));
    }

    /** Parses source without a file system: only Configs with a {@code default_value=} literal resolve. */
    public static FlowGraph parse(String fileName, String source) {
        return parse(fileName, source, ConfigInputs.none());
    }

    /**
     * Parses source, determining the values of the Configs its decorators read from {@code configs} (Metaflow
     * resolves them at deploy time too; the flow is never run).
     */
    public static FlowGraph parse(String fileName, String source, ConfigInputs configs) {
        ParsedFlow parsed;
        try {
            parsed = ConfigEvaluator.apply(FlowParser.parse(fileName, source), configs);
        } catch (SyntaxProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), null, e.getMessage(), e.fix())));
        } catch (ConfigEvaluator.ConfigProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), e.step(), e.getMessage(), e.fix())));
        }
        return GraphBuilder.build(parsed);
    }

    /** A flow parsed once: its graph with the Configs' values applied, and those values (see {@link #configValues}). */
    public record ResolvedFlow(FlowGraph graph, Map<String, JsonNode> configValues) {
        public ResolvedFlow {
            configValues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(configValues));
        }
    }

    /** Parses source once and resolves its Configs from {@code configs}: the graph and the values together. */
    public static ResolvedFlow resolve(String fileName, String source, ConfigInputs configs) {
        try {
            ParsedFlow parsed = FlowParser.parse(fileName, source);
            Map<String, JsonNode> values = ConfigEvaluator.values(parsed, configs);
            return new ResolvedFlow(GraphBuilder.build(ConfigEvaluator.apply(parsed, configs)), values);
        } catch (SyntaxProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), null, e.getMessage(), e.fix())));
        } catch (ConfigEvaluator.ConfigProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), e.step(), e.getMessage(), e.fix())));
        }
    }

    /**
     * The value of every Config of the flow (name → JSON) as a deployment determines it; what Metaflow writes to
     * the code package's {@code user_configs}, which the containers read ({@code METAFLOW_FLOW_CONFIG_VALUE}
     * {@code {"name": "kv.name"}}). Configs without a value map to JSON null.
     */
    public static Map<String, JsonNode> configValues(String fileName, String source, ConfigInputs configs) {
        try {
            return ConfigEvaluator.values(FlowParser.parse(fileName, source), configs);
        } catch (SyntaxProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), null, e.getMessage(), e.fix())));
        } catch (ConfigEvaluator.ConfigProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), e.step(), e.getMessage(), e.fix())));
        }
    }

    /** Reads Config files from disk relative to the flow file's directory. */
    public static ConfigInputs.ConfigFiles configFilesNextTo(Path flowFile) {
        Path directory = flowFile.toAbsolutePath().getParent();
        return relative -> {
            Path path = directory.resolve(relative).normalize();
            try {
                return Files.isRegularFile(path) ? Optional.of(Files.readString(path, StandardCharsets.UTF_8)) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        };
    }

    public static CompiledFlow compile(FlowGraph graph, CompileOptions options) {
        for (String refused : REFUSED_FLOW_DECORATORS) {
            graph.flowDecorator(refused).ifPresent(d -> {
                throw lint(graph, d.line(), "@" + refused + " is not supported on Step Functions by Flowgate yet",
                        "remove it; start the deployment from its upstream with a schedule or from CI instead");
            });
        }
        Optional<CompiledFlow.Schedule> schedule = FlowStarts.schedule(graph);
        String name = stateMachineName(graph, options);
        List<CompiledFlow.FinishTrigger> finishTriggers = FlowStarts.finishTriggers(graph, options, name);
        if (schedule.isPresent() || !finishTriggers.isEmpty()) {
            FlowStarts.refuseRequiredParametersWithoutDefault(graph, schedule.isPresent());
        }
        try {
            StateMachineGenerator generator = new StateMachineGenerator(graph, options, name);
            ObjectNode root = generator.definition();
            if (!finishTriggers.isEmpty()) {
                if (finishTriggers.size() > 1 && options.settings().dynamoTable().isEmpty()) {
                    throw lint(graph, graph.flowDecorator("trigger_on_finish").map(ParsedFlow.Decorator::line).orElse(1),
                            "@trigger_on_finish with several upstream flows counts them in DynamoDB, and no table is set",
                            "set METAFLOW_SFN_DYNAMO_DB_TABLE in the deployment settings");
                }
                root = TriggerGate.wrap(root, name, finishTriggers, options.settings().dynamoTable(), options.settings().partition());
            }
            String definition = FlowgateJson.write(root);
            int size = definition.getBytes(StandardCharsets.UTF_8).length;
            if (size > DEFINITION_LIMIT_BYTES) {
                throw lint(graph, 1, "the compiled state machine is " + size + " bytes, above Step Functions' limit of "
                        + DEFINITION_LIMIT_BYTES, "split the flow into smaller flows");
            }
            return new CompiledFlow(name, definition, schedule, generator.jobDefinitions(), finishTriggers);
        } catch (StepResources.StepProblem e) {
            throw new FlowLintException(List.of(new LintProblem(graph.fileName(), e.line(), e.step(),
                    e.getMessage().substring(e.getMessage().indexOf("': ") + 3), e.fix())));
        }
    }

    /**
     * The name the state machine of {@code graph} gets with {@code options}: {@code <project>.<label>.<Flow>} with
     * {@code @project}, else the flow name; derived by {@link StateMachineNames}, the one place names come from. An
     * experimental deployment ({@code branch} set, not production) of a flow without {@code @project} is refused: it
     * would be named like the production state machine.
     */
    public static String stateMachineName(FlowGraph graph, CompileOptions options) {
        Optional<ProjectBranch> project = projectBranch(graph, options);
        int line = graph.flowDecorator("project").map(ParsedFlow.Decorator::line).orElse(1);
        if (project.isEmpty() && options.branch() != null && !options.production()) {
            throw lint(graph, line, graph.flowName() + " has no @project, so it has only a production state machine ("
                    + graph.flowName() + "); an experimental deployment of branch '" + options.branch()
                    + "' would replace it", "add @project(name=\"<project>\") to " + graph.flowName()
                    + " to deploy branches to state machines of their own");
        }
        return machineName(graph, line, options, project.map(ProjectBranch::project), project.map(ProjectBranch::branch),
                graph.flowName(), "shorten the flow name");
    }

    /** The {@code @project} name of the flow, when it has one (checked as {@link #stateMachineName} checks it). */
    public static Optional<String> projectName(FlowGraph graph) {
        return graph.flowDecorator("project").map(project -> checkedProjectName(graph, project));
    }

    private static String checkedProjectName(FlowGraph graph, ParsedFlow.Decorator project) {
        // Metaflow 2.19 lets @project(branch=..., production=...) override the deployment's --branch/--production at
        // run time: an experimental deployment would run as production (current.is_production, project_branch:prod)
        for (String attribute : List.of("branch", "production")) {
            if (project.kwarg(attribute).isPresent()) {
                throw lint(graph, project.line(), "@project(" + attribute + "=...) decides at run time which branch the"
                        + " flow runs as, and would contradict the deployment (an experimental branch could run as production)",
                        "remove " + attribute + "= from @project: the deployment sets the branch from git");
            }
        }
        PyExpr projectName = project.kwarg("name").orElse(project.args().isEmpty() ? null : project.args().get(0));
        if (!(projectName instanceof PyExpr.Str s) || !MetaflowNames.isProjectName(s.value())) {
            throw lint(graph, project.line(), "@project needs name='<lowercase_letters_digits_underscores>'",
                    "write e.g. @project(name=\"churn_model\")");
        }
        return s.value();
    }

    /** The {@code @project} name and the branch label of this deployment ({@code prod}, {@code test.x}, ...). */
    record ProjectBranch(String project, String branch) {
    }

    static Optional<ProjectBranch> projectBranch(FlowGraph graph, CompileOptions options) {
        Optional<ParsedFlow.Decorator> project = graph.flowDecorator("project");
        if (project.isEmpty()) {
            return Optional.empty();
        }
        String name = checkedProjectName(graph, project.get());
        String branch = options.branch();
        if (branch != null && !MetaflowNames.isProjectName(branch)) {
            throw lint(graph, project.get().line(), "the branch '" + branch + "' may only hold lowercase letters, digits and"
                    + " underscores", "deploy the branch under a name such as " + StateMachineNames.branchName(branch));
        }
        return Optional.of(new ProjectBranch(name, StateMachineNames.label(Optional.ofNullable(branch),
                options.production(), options.owner())));
    }

    /**
     * The state machine name of {@code flow} deployed in {@code project}/{@code branch} (both or neither), with the
     * settings' prefix ({@link StateMachineNames}): Metaflow cuts a project name longer than 80 characters to 60 + "-"
     * + 16 base32 characters of its SHA-1; a name without project that long is refused (at {@code line}, with {@code fix}).
     */
    static String machineName(FlowGraph graph, int line, CompileOptions options, Optional<String> project,
                              Optional<String> branch, String flow, String fix) {
        Optional<String> prefix = options.settings().stateMachinePrefix();
        if (project.isEmpty()) {
            String name = StateMachineNames.plainFlow(prefix, flow);
            if (name.length() > StateMachineNames.MAX_NAME) {
                throw lint(graph, line, "the state machine name " + name + " is longer than 80 characters", fix);
            }
            return name;
        }
        return StateMachineNames.projectFlow(prefix, project.get(), branch.orElseThrow(), flow);
    }

    static FlowLintException lint(FlowGraph graph, int line, String message, String fix) {
        return new FlowLintException(List.of(new LintProblem(graph.fileName(), line, null, message, fix)));
    }
}

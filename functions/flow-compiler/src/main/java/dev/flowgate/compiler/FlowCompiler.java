package dev.flowgate.compiler;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.StateMachineGenerator;
import dev.flowgate.compiler.asl.StepResources;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.GraphBuilder;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.parse.FlowParser;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.compiler.parse.SyntaxProblem;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.MetaflowNames;
import dev.flowgate.model.naming.NameHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
    private static final Set<String> REFUSED_FLOW_DECORATORS = Set.of("trigger", "trigger_on_finish");

    private FlowCompiler() {
    }

    /** Reads and parses a flow file (UTF-8); the file name in problems is the path as given. */
    public static FlowGraph parse(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    public static FlowGraph parse(String fileName, String source) {
        ParsedFlow parsed;
        try {
            parsed = FlowParser.parse(fileName, source);
        } catch (SyntaxProblem e) {
            throw new FlowLintException(List.of(new LintProblem(fileName, e.line(), null, e.getMessage(), e.fix())));
        }
        return GraphBuilder.build(parsed);
    }

    public static CompiledFlow compile(FlowGraph graph, CompileOptions options) {
        for (String refused : REFUSED_FLOW_DECORATORS) {
            graph.flowDecorator(refused).ifPresent(d -> {
                throw lint(graph, d.line(), "@" + refused + " is not supported on Step Functions by Flowgate yet",
                        "remove it; start the deployment from its upstream with a schedule or from CI instead");
            });
        }
        Optional<String> schedule = schedule(graph);
        String name = stateMachineName(graph, options);
        try {
            StateMachineGenerator generator = new StateMachineGenerator(graph, options, name);
            String definition = FlowgateJson.write(generator.definition());
            int size = definition.getBytes(StandardCharsets.UTF_8).length;
            if (size > DEFINITION_LIMIT_BYTES) {
                throw lint(graph, 1, "the compiled state machine is " + size + " bytes, above Step Functions' limit of "
                        + DEFINITION_LIMIT_BYTES, "split the flow into smaller flows");
            }
            return new CompiledFlow(name, definition, schedule, generator.jobDefinitions());
        } catch (StepResources.StepProblem e) {
            throw new FlowLintException(List.of(new LintProblem(graph.fileName(), e.line(), e.step(),
                    e.getMessage().substring(e.getMessage().indexOf("': ") + 3), e.fix())));
        }
    }

    /** {@code <project>.<branch>.<Flow>} with {@code @project}, else the flow name; Metaflow's rules. */
    static String stateMachineName(FlowGraph graph, CompileOptions options) {
        String prefix = options.settings().stateMachinePrefix().map(p -> p + "_").orElse("");
        Optional<ParsedFlow.Decorator> project = graph.flowDecorator("project");
        if (project.isEmpty()) {
            String name = prefix + graph.flowName();
            if (name.length() > 80) {
                throw lint(graph, 1, "the state machine name " + name + " is longer than 80 characters", "shorten the flow name");
            }
            return name;
        }
        PyExpr projectName = project.get().kwarg("name").orElse(project.get().args().isEmpty() ? null : project.get().args().get(0));
        if (!(projectName instanceof PyExpr.Str s) || !MetaflowNames.isProjectName(s.value())) {
            throw lint(graph, project.get().line(), "@project needs name='<lowercase_letters_digits_underscores>'",
                    "write e.g. @project(name=\"churn_model\")");
        }
        String branch = options.branch();
        if (branch != null && !MetaflowNames.isProjectName(branch)) {
            throw lint(graph, project.get().line(), "the branch '" + branch + "' may only hold lowercase letters, digits and"
                    + " underscores", "deploy the branch under a name such as " + branch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"));
        }
        String label = branch != null ? (options.production() ? "prod." : "test.") + branch
                : options.production() ? "prod" : "user." + options.owner();
        String name = prefix + s.value() + "." + label + "." + graph.flowName();
        if (name.length() > 80) {
            name = name.substring(0, 60) + "-" + NameHash.base32Sha1(name).substring(0, 16);
        }
        return name;
    }

    private static Optional<String> schedule(FlowGraph graph) {
        Optional<ParsedFlow.Decorator> decorator = graph.flowDecorator("schedule");
        if (decorator.isEmpty()) {
            return Optional.empty();
        }
        ParsedFlow.Decorator d = decorator.get();
        if (d.kwarg("timezone").filter(v -> !(v instanceof PyExpr.None)).isPresent()) {
            throw lint(graph, d.line(), "@schedule(timezone=...) is not supported yet: EventBridge rules run in UTC",
                    "express the cron in UTC and drop timezone=");
        }
        Optional<PyExpr> cron = d.kwarg("cron").filter(v -> !(v instanceof PyExpr.None));
        if (cron.isPresent()) {
            if (!(cron.get() instanceof PyExpr.Str s) || s.value().isBlank()) {
                throw lint(graph, d.line(), "@schedule(cron=...) must be a string literal", "write e.g. cron=\"0 3 * * ? *\"");
            }
            int fields = s.value().trim().split("\\s+").length;
            if (fields != 6) {
                throw lint(graph, d.line(), "@schedule(cron=\"" + s.value() + "\") has " + fields + " fields; EventBridge cron"
                        + " expressions have 6 (minutes hours day-of-month month day-of-week year)", "write e.g. \"0 3 * * ? *\"");
            }
            return Optional.of("cron(" + s.value().trim() + ")");
        }
        if (isTrue(d, "weekly")) {
            return Optional.of("cron(0 0 ? * SUN *)");
        }
        if (isTrue(d, "hourly")) {
            return Optional.of("cron(0 * * * ? *)");
        }
        return Optional.of("cron(0 0 * * ? *)");
    }

    private static boolean isTrue(ParsedFlow.Decorator d, String key) {
        return d.kwarg(key).filter(v -> v instanceof PyExpr.Bool b && b.value()).isPresent();
    }

    private static FlowLintException lint(FlowGraph graph, int line, String message, String fix) {
        return new FlowLintException(List.of(new LintProblem(graph.fileName(), line, null, message, fix)));
    }
}

package dev.flowgate.compiler;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flowgate resolves inherited flows as the real Metaflow does (the project venv's Metaflow 2.19): for each flow,
 * the class {@code python flow.py show} executes, its steps and transitions, and the parameters with their
 * defaults ({@code FlowSpec._get_parameters()}) must equal what Flowgate parsed without running the file.
 */
class InheritanceAgainstLocalMetaflowIT {
    private static final Pattern EXECUTING = Pattern.compile("executing (\\w+) for");
    private static final Pattern STEP = Pattern.compile("^Step (\\w+)$");
    private static final Pattern TARGETS = Pattern.compile("^\\s+=> (.*)$");

    private static final String BASE_CREATED_UNDER_MAIN = """
            from metaflow import FlowSpec, Parameter, step
            class BaseFlow(FlowSpec):
                size = Parameter("size", default=1)
                @step
                def start(self):
                    self.next(self.mid)
                @step
                def mid(self):
                    self.next(self.end)
                @step
                def end(self):
                    pass
            class ChildFlow(BaseFlow):
                size = Parameter("size", default=2)
                @step
                def start(self):
                    self.next(self.end)
            if __name__ == "__main__":
                flow = BaseFlow()
            """;

    private static final String DIAMOND_WITH_MIXIN_LAST = """
            from metaflow import Config, FlowSpec, Parameter, step
            class Audit:
                level = Parameter("level", default="info")
                @step
                def check(self):
                    self.next(self.end)
                @step
                def end(self):
                    pass
            class Common(FlowSpec):
                @step
                def start(self):
                    self.next(self.end)
                @step
                def end(self):
                    pass
            class Left(Common):
                rate = Parameter("rate", default=0.5)
            class Right(Common):
                settings = Config("settings", default_value={"depth": 2, "tags": ["a"]})
                @step
                def start(self):
                    self.next(self.check)
            class Both(Left, Right, Audit):
                pass
            if __name__ == "__main__":
                Both()
            """;

    @Test
    void corpusFlow_sameClassStepsTransitionsAndParametersAsMetaflow(@TempDir Path dir) throws Exception {
        String source = Files.readString(CorpusGoldenTest.CORPUS.resolve("inherited_flow.py"));
        assertSameAsMetaflow(dir, "inherited_flow.py", source);
    }

    @Test
    void baseCreatedUnderMain_sameAsMetaflow(@TempDir Path dir) throws Exception {
        assertSameAsMetaflow(dir, "base_main_flow.py", BASE_CREATED_UNDER_MAIN);
    }

    @Test
    void diamondWithAMixinLast_sameAsMetaflow(@TempDir Path dir) throws Exception {
        assertSameAsMetaflow(dir, "diamond_flow.py", DIAMOND_WITH_MIXIN_LAST);
    }

    @Test
    void aPlainMethodHidesTheBasesStep_inMetaflowToo(@TempDir Path dir) throws Exception {
        String source = """
                from metaflow import FlowSpec, step
                class BaseFlow(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.audit)
                    @step
                    def audit(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                class ChildFlow(BaseFlow):
                    def audit(self):
                        return None
                if __name__ == "__main__":
                    ChildFlow()
                """;
        Path flow = dir.resolve("hidden_flow.py");
        Files.writeString(flow, source);
        Shown shown = show(dir, flow);
        assertThat(shown.transitions()).isEqualTo(Map.of("start", List.of("audit"))); // show stops where the step is missing
        assertThatThrownBy(() -> FlowCompiler.parse("hidden_flow.py", source))
                .isInstanceOfSatisfying(FlowLintException.class, e ->
                        assertThat(e.problems().get(0).toString()).contains("'audit', which is not a step of this flow"));
    }

    @Test
    void exitHookOfTheSubclassReplacesTheBases_asMetaflowRunsThem(@TempDir Path dir) throws Exception {
        String source = """
                from metaflow import FlowSpec, step, exit_hook
                def base_hook(run=None):
                    print("HOOK base_hook")
                def child_hook(run=None):
                    print("HOOK child_hook")
                @exit_hook(on_success=[base_hook])
                class BaseFlow(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                @exit_hook(on_success=[child_hook])
                class ChildFlow(BaseFlow):
                    pass
                if __name__ == "__main__":
                    ChildFlow()
                """;
        Path flow = dir.resolve("hook_flow.py");
        Files.writeString(flow, source);
        String run = LocalMetaflow.succeed(dir, List.of(flow.toString(), "--no-pylint", "run"));
        List<String> ran = run.lines().filter(l -> l.startsWith("HOOK ")).map(l -> l.substring(5).trim()).toList();
        FlowGraph graph = FlowCompiler.parse("hook_flow.py", source);
        List<String> compiled = graph.flowDecoratorsAppliedInOrder("exit_hook").stream()
                .map(d -> d.kwarg("on_success").orElseThrow().source().replaceAll("[\\[\\]]", "")).toList();
        assertThat(ran).containsExactly("child_hook");
        assertThat(compiled).isEqualTo(ran);
    }

    private static void assertSameAsMetaflow(Path dir, String fileName, String source) throws Exception {
        Path flow = dir.resolve(fileName);
        Files.writeString(flow, source);
        FlowGraph graph = FlowCompiler.parse(fileName, source);
        Shown shown = show(dir, flow);
        assertThat(graph.flowName()).isEqualTo(shown.flowClass());

        // the class's graph (every @step Metaflow found over dir(cls)) and parameters, as Metaflow built them
        String facts = LocalMetaflow.succeed(dir, List.of("-c", String.join("\n",
                "import importlib.util, json, sys",
                "spec = importlib.util.spec_from_file_location('inherited', sys.argv[1])",
                "module = importlib.util.module_from_spec(spec)",
                "spec.loader.exec_module(module)",
                "cls = getattr(module, sys.argv[2])",
                "for node in cls._graph:",
                "    print('STEP %s %d %s' % (node.name, node.func_lineno, ','.join(node.out_funcs)))",
                "for var, p in cls._get_parameters():",
                "    print('PARAM %s %s %s' % (var, p.name, json.dumps(p._override_kwargs.get('default'))))"),
                flow.toString(), shown.flowClass()));
        Map<String, String> metaflowSteps = new TreeMap<>();
        Map<String, String> metaflowParameters = new TreeMap<>();
        facts.lines().forEach(l -> {
            String[] parts = l.split(" ", 4);
            if (parts[0].equals("STEP")) {
                metaflowSteps.put(parts[1], "line " + parts[2] + " -> " + (parts.length > 3 ? parts[3] : ""));
            } else if (parts[0].equals("PARAM")) {
                metaflowParameters.put(parts[1] + " " + parts[2], FlowgateJson.parse(parts[3]).toString());
            }
        });
        Map<String, String> flowgateSteps = new TreeMap<>();
        graph.steps().values().forEach(n -> flowgateSteps.put(n.name(), "line " + n.line() + " -> " + String.join(",", n.outFuncs())));
        Map<String, String> flowgateParameters = new TreeMap<>();
        for (ParsedFlow.ParameterDef p : graph.parameters()) {
            flowgateParameters.put(p.attribute() + " " + p.name(),
                    FlowgateJson.parse(p.defaultValue().map(v -> FlowgateJson.write(PyExpr.literal(v))).orElse("null")).toString());
        }
        assertThat(flowgateSteps).as(facts).isEqualTo(metaflowSteps).isNotEmpty();
        assertThat(flowgateParameters).as(facts).isEqualTo(metaflowParameters);
        // and show, which walks the graph from start, prints the same transitions
        shown.transitions().forEach((step, targets) -> assertThat(graph.step(step).outFuncs()).isEqualTo(targets));
    }

    /** What {@code python flow.py show} printed: the class it executed and each step's successors. */
    private record Shown(String flowClass, Map<String, List<String>> transitions) {
    }

    private static Shown show(Path dir, Path flow) throws IOException, InterruptedException {
        String output = LocalMetaflow.succeed(dir, List.of(flow.toString(), "--no-pylint", "show"));
        Matcher executing = EXECUTING.matcher(output);
        assertThat(executing.find()).as(output).isTrue();
        Map<String, List<String>> transitions = new TreeMap<>();
        String current = null;
        for (String line : output.lines().toList()) {
            Matcher step = STEP.matcher(line);
            Matcher targets = TARGETS.matcher(line);
            if (step.matches()) {
                current = step.group(1);
                transitions.put(current, List.of());
            } else if (current != null && targets.matches()) {
                transitions.put(current, List.of(targets.group(1).split(",\\s*")));
            }
        }
        assertThat(transitions).as(output).isNotEmpty();
        return new Shown(executing.group(1), new LinkedHashMap<>(transitions));
    }
}

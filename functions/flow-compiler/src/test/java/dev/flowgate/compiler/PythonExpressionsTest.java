package dev.flowgate.compiler;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decorator arguments written as expressions (issue 13, item 6) and Python 3.12 syntax (item 7), through the public
 * parser: what the compiler reads, what it refuses and with which line. Python semantics case by case:
 * {@code parse.ConstantFolderTest}.
 */
class PythonExpressionsTest {
    private static final String HEADER = """
            import os
            from typing import Final
            from metaflow import FlowSpec, Parameter, batch, card, environment, resources, retry, step, timeout

            """;

    private static FlowGraph parse(String source) {
        return FlowCompiler.parse("flow.py", HEADER + source);
    }

    private static Object kwarg(FlowGraph graph, String step, String decorator, String key) {
        return PyExpr.literal(graph.step(step).decorator(decorator).orElseThrow().kwarg(key).orElseThrow());
    }

    /** A flow whose start step carries {@code decorator}, after the module-level lines {@code module}. */
    private static String flow(String module, String decorator) {
        return module + "\n\nclass F(FlowSpec):\n    " + decorator + """

                    @step
                    def start(self):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """;
    }

    @Test
    void corpusFlow_decoratorsAndParameterDefaults_areComputedAsPythonWould() throws IOException {
        FlowGraph graph = FlowCompiler.parse("expressions_flow.py",
                Files.readString(CorpusGoldenTest.CORPUS.resolve("expressions_flow.py")));
        assertThat(kwarg(graph, "start", "resources", "memory")).isEqualTo(12288L);
        assertThat(kwarg(graph, "start", "resources", "cpu")).isEqualTo(4L);
        assertThat(kwarg(graph, "start", "environment", "vars")).isEqualTo(Map.of("PROJECT", "ranking", "VERSION", "7",
                "RUN_LABEL", "ranking-v007/3 shards", "MEMORY_GB", "12.0"));
        assertThat(kwarg(graph, "train", "resources", "memory")).isEqualTo(36864L);
        assertThat(kwarg(graph, "train", "resources", "cpu")).isEqualTo(2L);
        assertThat(kwarg(graph, "train", "resources", "gpu")).isEqualTo(1L);
        assertThat(kwarg(graph, "train", "retry", "times")).isEqualTo(4L);
        assertThat(kwarg(graph, "train", "timeout", "minutes")).isEqualTo(10L);
        assertThat(kwarg(graph, "join", "resources", "cpu")).isEqualTo(4L);
        assertThat(kwarg(graph, "join", "resources", "memory")).isEqualTo(6144L);
        assertThat(graph.parameters()).extracting(p -> PyExpr.literal(p.defaultValue().orElseThrow()))
                .containsExactly(0.5, "ranking-v007-eu");
    }

    @Test
    void constants_followAssignmentsInOrder_augmentedAssignmentsAndChains() {
        FlowGraph graph = parse(flow("""
                MEMORY: Final[int] = 4096
                BIG = MEMORY
                MEMORY += 1024
                HUGE: int = BIG * 4
                """, "@resources(memory=MEMORY, cpu=HUGE // 4096, gpu=BIG // 4096)"));
        assertThat(kwarg(graph, "start", "resources", "memory")).isEqualTo(5120L);
        assertThat(kwarg(graph, "start", "resources", "cpu")).isEqualTo(4L);
        assertThat(kwarg(graph, "start", "resources", "gpu")).isEqualTo(1L);
    }

    @Test
    void classLevelConstants_areSeenByMethodDecoratorsAndHideModuleConstants() {
        FlowGraph graph = FlowCompiler.parse("flow.py", HEADER + """
                CPU = 1

                class F(FlowSpec):
                    CPU = 8
                    MEMORY = CPU * 1024

                    @resources(cpu=CPU, memory=MEMORY)
                    @step
                    def start(self):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """);
        assertThat(kwarg(graph, "start", "resources", "cpu")).isEqualTo(8L);
        assertThat(kwarg(graph, "start", "resources", "memory")).isEqualTo(8192L);
    }

    @Test
    void spreadingAConstantDict_intoADecorator_givesItsKeywordArguments() {
        FlowGraph graph = parse(flow("OPTS = {'cpu': 3, 'memory': 16384}\nIMAGES = ['repo/a:1']",
                "@batch(**OPTS, image=IMAGES[-1])"));
        assertThat(kwarg(graph, "start", "batch", "cpu")).isEqualTo(3L);
        assertThat(kwarg(graph, "start", "batch", "memory")).isEqualTo(16384L);
        assertThat(kwarg(graph, "start", "batch", "image")).isEqualTo("repo/a:1");
    }

    @Test
    void aListChangedByAStatement_orANameFromAnotherModule_isNotAConstant() {
        assertThatThrownBy(() -> FlowCompiler.compile(parse(flow("SIZES = [1, 2]\nSIZES.append(3)",
                "@resources(cpu=len(SIZES))")), CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("cpu=");
        assertThatThrownBy(() -> FlowCompiler.compile(parse(flow("", "@resources(memory=os.cpu_count() * 1024)")),
                CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("memory=");
    }

    @Test
    void pythonErrors_andResourceAbuse_areRefusedWithTheLine() {
        assertThatThrownBy(() -> parse(flow("", "@resources(memory=10 ** 10 ** 10)")))
                .isInstanceOfSatisfying(FlowLintException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.line()).isEqualTo(8);
                    assertThat(p.message()).contains("10 ** 10 ** 10").contains("would compute").contains("bits");
                }));
        assertThatThrownBy(() -> parse(flow("", "@environment(vars={'A': 'x' * 10 ** 9})")))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("would compute a string of 1000000000 characters");
        assertThatThrownBy(() -> parse(flow("PER_GPU = 0\nRATIO = 8 // PER_GPU", "@resources(cpu=RATIO)")))
                .isInstanceOfSatisfying(FlowLintException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.line()).isEqualTo(6);
                    assertThat(p.message()).contains("8 // PER_GPU raises ZeroDivisionError");
                }));
        assertThatThrownBy(() -> parse(flow("", "@resources(memory='4096' + 1)")))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("TypeError");
    }

    @Test
    void selfNext_readsModuleConstants_unlessTheStepAssignsTheName() {
        String template = HEADER + """
                FIELD = "shards"

                class F(FlowSpec):
                    @step
                    def start(self):
                        self.shards = [1, 2]
                        %s
                        self.next(self.body, foreach=FIELD)

                    @step
                    def body(self):
                        self.next(self.join)

                    @step
                    def join(self, inputs):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """;
        assertThat(FlowCompiler.parse("flow.py", template.formatted("pass")).step("start").foreachParam()).isEqualTo("shards");
        assertThatThrownBy(() -> FlowCompiler.parse("flow.py", template.formatted("FIELD = 'other'")))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("foreach");
    }

    @Test
    void python312_genericClassesFunctionsTypeAliasesAndPep701FStrings_parse() {
        FlowGraph graph = FlowCompiler.parse("flow.py", HEADER + """
                LIMITS = {"cpu": 2}
                type Rows = list[dict[str, int]]
                type Pair[T] = tuple[T, T]

                class Box[T]:
                    def get[S: int](self, x: S) -> T:
                        return x

                def first[T](items: list[T]) -> T:
                    return items[0]

                class Base[T](FlowSpec):
                    pass

                class F(Base[int]):
                    @environment(vars={"LABEL": f"{LIMITS["cpu"]}-{f"{"nested"}"}"})
                    @step
                    def start(self):
                        self.next(self.end)

                    def helper[T](self, x: T) -> T:
                        return f"{x!r:>{LIMITS["cpu"]}}"

                    @step
                    def end(self):
                        pass

                if __name__ == "__main__":
                    F()
                """);
        assertThat(kwarg(graph, "start", "environment", "vars")).isEqualTo(Map.of("LABEL", "2-nested"));
        assertThat(graph.steps().keySet()).containsExactly("start", "end");
    }

    @Test
    void decoratorsTheCompilerDoesNotRead_keepExpressionsItCannotCompute() {
        FlowGraph graph = parse(flow("", "@resources(cpu=2)\n    @card(type=os.environ.get('CARD', 'default'))"));
        ParsedFlow.Decorator card = graph.step("start").decorator("card").orElseThrow();
        assertThat(card.kwarg("type").orElseThrow()).isInstanceOf(PyExpr.Call.class);
    }
}

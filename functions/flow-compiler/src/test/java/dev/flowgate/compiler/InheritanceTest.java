package dev.flowgate.compiler;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flows that inherit steps, parameters and flow decorators from classes of the same file, resolved as Python's
 * method resolution order and Metaflow 2.19's {@code FlowSpecMeta} do ({@code InheritanceAgainstLocalMetaflowIT}
 * checks the same flows against the real Metaflow).
 */
class InheritanceTest {

    private static FlowGraph corpus() throws IOException {
        return FlowCompiler.parse("flows/inherited_flow.py", Files.readString(CorpusGoldenTest.CORPUS.resolve("inherited_flow.py")));
    }

    private static Map<String, List<String>> transitions(FlowGraph graph) {
        return graph.steps().values().stream().collect(Collectors.toMap(StepNode::name, StepNode::outFuncs));
    }

    @Test
    void corpusFlow_takesStepsFromTheMroWithOverridesAndTheMixin_andEachStepKeepsTheLineItIsDefinedOn() throws IOException {
        FlowGraph graph = corpus();
        assertThat(graph.flowName()).isEqualTo("InheritedFlow");
        assertThat(transitions(graph)).isEqualTo(Map.of(
                "start", List.of("train"), "train", List.of("evaluate"), "evaluate", List.of("join"),
                "join", List.of("report"), "report", List.of("end"), "end", List.of()));
        // the subclass's train (with @retry), the base's join (with @resources), the mixin's report
        assertThat(graph.step("train").line()).isEqualTo(53);
        assertThat(graph.step("train").has("retry")).isTrue();
        assertThat(graph.step("join").line()).isEqualTo(35);
        assertThat(graph.step("join").has("resources")).isTrue();
        assertThat(graph.step("report").line()).isEqualTo(10);
        assertThat(graph.steps().keySet()).containsExactly("report", "start", "join", "end", "train", "evaluate");
    }

    @Test
    void corpusFlow_inheritsParametersWithTheSubclassesDefault_andTheBasesFlowDecorators() throws IOException {
        FlowGraph graph = corpus();
        assertThat(graph.parameters()).extracting(ParsedFlow.ParameterDef::name).containsExactly("verbose", "shards", "alpha");
        ParsedFlow.ParameterDef alpha = graph.parameters().get(2);
        assertThat(alpha.line()).isEqualTo(66);
        assertThat(alpha.defaultValue()).hasValueSatisfying(v -> assertThat(v.source()).isEqualTo("3"));
        assertThat(graph.flowDecorators()).extracting(ParsedFlow.Decorator::name).containsExactly("project", "schedule");
        CompiledFlow compiled = FlowCompiler.compile(graph, CorpusGoldenTest.options());
        assertThat(compiled.stateMachineName()).isEqualTo("inherit_demo.prod.InheritedFlow");
        assertThat(compiled.scheduleExpression()).contains("cron(0 0 * * ? *)");
    }

    @Test
    void theFlowIsTheClassCreatedUnderMain_evenWhenItIsTheBase() {
        FlowGraph graph = FlowCompiler.parse("f.py", """
                from metaflow import FlowSpec, step
                class BaseFlow(FlowSpec):
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
                    @step
                    def start(self):
                        self.next(self.end)
                if __name__ == "__main__":
                    flow = BaseFlow()
                """);
        assertThat(graph.flowName()).isEqualTo("BaseFlow");
        assertThat(transitions(graph)).containsEntry("start", List.of("mid"));
    }

    @Test
    void aPlainMethodOrAttributeInTheSubclassHidesTheBasesStep() {
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
        assertThatThrownBy(() -> FlowCompiler.parse("flows/child.py", source))
                .isInstanceOfSatisfying(FlowLintException.class, e -> {
                    LintProblem p = e.problems().get(0);
                    assertThat(p.line()).as("the base's start, where self.next is written").isEqualTo(5);
                    assertThat(p.step()).isEqualTo("start");
                    assertThat(p.toString()).startsWith("flows/child.py:5: step 'start': self.next() goes to 'audit', which is not a step");
                });
    }

    @Test
    void diamond_followsC3_theFirstBaseWins() {
        FlowGraph graph = FlowCompiler.parse("f.py", """
                from metaflow import FlowSpec, step
                class Common(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                class Left(Common):
                    pass
                class Right(Common):
                    @step
                    def start(self):
                        self.next(self.right_only)
                    @step
                    def right_only(self):
                        self.next(self.end)
                class Both(Left, Right):
                    pass
                if __name__ == "__main__":
                    Both()
                """);
        // MRO: Both, Left, Right, Common: Right's start beats Common's
        assertThat(transitions(graph)).containsEntry("start", List.of("right_only")).containsKey("right_only");
    }

    @Test
    void aLintProblemInAnInheritedStepNamesTheBaseClasssLine() {
        String source = """
                from metaflow import FlowSpec, step

                class BaseFlow(FlowSpec):
                    @step
                    def start(self):
                        self.x = 1

                    @step
                    def end(self):
                        pass

                class ChildFlow(BaseFlow):
                    pass

                if __name__ == "__main__":
                    ChildFlow()
                """;
        assertThatThrownBy(() -> FlowCompiler.parse("flows/child.py", source))
                .isInstanceOfSatisfying(FlowLintException.class, e ->
                        assertThat(e.problems().get(0).toString()).startsWith("flows/child.py:6: step 'start': the step does not end"));
    }

    @Test
    void exitHookOnTheSubclassReplacesTheInheritedOnes_asMetaflowsFlowStateMerge() {
        FlowGraph own = FlowCompiler.parse("f.py", """
                from metaflow import FlowSpec, step, exit_hook
                def a():
                    pass
                def b():
                    pass
                @exit_hook(on_success=[a])
                class BaseFlow(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                @exit_hook(on_success=[b])
                class ChildFlow(BaseFlow):
                    pass
                if __name__ == "__main__":
                    ChildFlow()
                """);
        assertThat(own.flowDecoratorsAppliedInOrder("exit_hook")).singleElement()
                .satisfies(d -> assertThat(d.kwarg("on_success").map(PyExpr::source)).contains("[b]"));
    }

    @Test
    void refusals_nameTheLineAndTheFix() {
        assertRefused("""
                from metaflow import step
                from common.base import BaseFlow
                class ChildFlow(BaseFlow):
                    @step
                    def start(self):
                        self.next(self.end)
                if __name__ == "__main__":
                    ChildFlow()
                """, "f.py:3: class ChildFlow derives from BaseFlow, which is imported from common.base (line 2)",
                "Fix: define BaseFlow (and the classes it derives from) in this file above ChildFlow");
        assertRefused("""
                from collections.abc import Mapping
                from common.base import BaseFlow
                class Settings(Mapping):
                    pass
                class ChildFlow(BaseFlow):
                    pass
                """, "f.py:5: class ChildFlow derives from BaseFlow, which is imported from common.base");
        assertRefused("""
                from collections.abc import Mapping
                class Settings(Mapping):
                    pass
                """, "f.py:1: no class deriving from metaflow's FlowSpec was found");
        assertRefused("""
                from metaflow import FlowSpec, step
                import mixins
                class ChildFlow(mixins.Audit, FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                """, "f.py:3: class ChildFlow derives from mixins.Audit, which is imported from mixins;");
        assertRefused("""
                from metaflow import FlowSpec, step
                class A(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                class B(A):
                    pass
                """, "f.py:9: the file defines several flows, [A, B], and does not say which one runs",
                "Fix: end the file with  if __name__ == \"__main__\": B()");
        assertRefused("""
                from metaflow import FlowSpec, step, project
                @project(name="a")
                class A(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                @project(name="b")
                class B(A):
                    pass
                if __name__ == "__main__":
                    B()
                """, "f.py:10: @project is on class B and on class A (line 2)", "Fix: keep @project on one class only");
        assertRefused("""
                from metaflow import FlowSpec, step, project
                @project(name="a")
                class Mixin:
                    pass
                class A(Mixin, FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "f.py:2: @project is on class Mixin, which does not derive from FlowSpec");
        assertRefused("""
                from metaflow import FlowSpec, step
                class Base(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                class Child(Base):
                    pass
                class Odd(Base, Child):
                    pass
                if __name__ == "__main__":
                    Odd()
                """, "f.py:11: Python cannot order the bases of class Odd");
        assertRefused("""
                from metaflow import FlowSpec, step, Parameter
                class Mixin:
                    size = Parameter(default=3)
                class A(Mixin, FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "f.py:3: Parameter 'size' needs its name as a string literal");
    }

    @Test
    void plainClassesThatNoFlowUses_stayIgnored() {
        FlowGraph graph = FlowCompiler.parse("f.py", """
                from metaflow import FlowSpec, step, Parameter
                class Broken:
                    size = Parameter(default=3)
                class Settings(dict): pass
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """);
        assertThat(graph.flowName()).isEqualTo("F");
    }

    private static void assertRefused(String source, String... expected) {
        assertThatThrownBy(() -> FlowCompiler.parse("f.py", source))
                .isInstanceOfSatisfying(FlowLintException.class, e -> assertThat(e.getMessage()).contains(expected));
    }
}

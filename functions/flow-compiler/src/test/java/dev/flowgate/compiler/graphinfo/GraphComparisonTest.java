package dev.flowgate.compiler.graphinfo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled flow against a run's record. {@code graphinfo/mutated_flow.graph_info.json} is the real
 * {@code _graph_info} of one run of {@code e2e/flows/mutated_flow.py} made by the
 * project venv's Metaflow 2.19.39 ({@code python mutated_flow.py run} with the local datastore, then
 * {@code json.dump(Run(...)['start'].task['_graph_info'].data)}, with {@code source_file} shortened).
 */
class GraphComparisonTest {
    /** The e2e suite's flow the recorded _graph_info was made from (one copy in the repository). */
    static final java.nio.file.Path MUTATED_FLOW = java.nio.file.Path.of("../../e2e/flows/mutated_flow.py");

    static String resource(String name) throws IOException {
        try (InputStream in = GraphComparisonTest.class.getResourceAsStream("/graphinfo/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static FlowGraph mutatedFlow() throws IOException {
        return FlowCompiler.parse("mutated_flow.py", java.nio.file.Files.readString(MUTATED_FLOW));
    }

    static RecordedGraph mutatedRecord() throws IOException {
        return RecordedGraph.fromJson(resource("mutated_flow.graph_info.json"));
    }

    @Test
    void mutatorsDecorators_whenTakenFromTheRecord_compileWithTheRunsRetriesAndGpus() throws IOException {
        RunGraphCheck check = RunGraphCheck.of(mutatedFlow(), mutatedRecord());

        assertThat(check.differences()).isEmpty();
        assertThat(check.honoured()).containsExactlyInAnyOrder(
                "@retry(minutes_between_retries=\"2\", times=4) on start, inserted by __main__.robust_flow",
                "@retry(minutes_between_retries=\"2\", times=4) on train, inserted by __main__.robust_flow",
                "@resources(cpu=\"1\", gpu=2, memory=24576) on train, inserted by __main__.on_gpu",
                "@retry(minutes_between_retries=\"2\", times=4) on end, inserted by __main__.robust_flow");
        CompiledFlow compiled = FlowCompiler.compile(check.graph(), CompileOptions.of(settings()));
        JsonNode states = FlowgateJson.parse(compiled.definitionJson()).get("States");
        for (String step : List.of("start", "train", "end")) {
            assertThat(states.get(step).at("/Parameters/RetryStrategy/Attempts").asInt()).as(step).isEqualTo(5);
        }
        assertThat(requirements(states.get("train"))).containsEntry("GPU", "2").containsEntry("MEMORY", "24576");
        assertThat(requirements(states.get("start"))).doesNotContainKey("GPU").containsEntry("MEMORY", "4096");
    }

    /** The corpus's deployment settings (src/test/resources/flows/settings.json). */
    static DeploymentSettings settings() throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        FlowgateJson.parse(java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/flows/settings.json")))
                .fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return DeploymentSettings.fromConfig(config);
    }

    private static Map<String, String> requirements(JsonNode state) {
        Map<String, String> out = new LinkedHashMap<>();
        state.at("/Parameters/ContainerOverrides/ResourceRequirements")
                .forEach(r -> out.put(r.get("Type").asText(), r.get("Value").asText()));
        return out;
    }

    @Test
    void mutatorsDecorators_whenNotTakenOver_areDifferencesNamingStepAndMutator() throws IOException {
        List<GraphDifference> differences = GraphComparison.compare(mutatedFlow(), mutatedRecord());

        assertThat(differences).extracting(GraphDifference::describe).contains(
                "step 'train': @resources: the run had @resources inserted by __main__.on_gpu, the compiled flow has none"
                        + " (fix: Flowgate could not take it over from the run: see the refusal above)");
        assertThat(differences).filteredOn(d -> d.decorator().equals("retry")).extracting(GraphDifference::step)
                .containsExactlyInAnyOrder("start", "train", "end");
    }

    static final String ENV_FLOW = """
            import os
            from metaflow import FlowSpec, resources, step

            MEMORY = 8192
            if "TRAIN_MEMORY" in os.environ:
                MEMORY = int(os.environ["TRAIN_MEMORY"])

            class EnvFlow(FlowSpec):
                @step
                def start(self):
                    self.next(self.train)

                @resources(memory=MEMORY)
                @step
                def train(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;

    /** A record as Metaflow 2.19 writes it for EnvFlow: linear start → train → end. */
    static Map<String, Object> envRecord(Object trainMemory) {
        Map<String, Object> resources = deco("resources", attrs("cpu", "1", "gpu", "None", "disk", "None", "memory",
                trainMemory, "shared_memory", "None"), true, null);
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put("start", step("start", "start", List.of("train"), List.of()));
        steps.put("train", step("train", "linear", List.of("end"), List.of(resources)));
        steps.put("end", step("end", "end", List.of(), List.of()));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("start_step", "start");
        root.put("end_step", "end");
        root.put("parameters", List.of());
        root.put("steps", steps);
        root.put("decorators", List.of());
        return root;
    }

    @Test
    void decoratorValueFromTheEnvironmentAtImport_differs_namingStepDecoratorAttributeAndBothValues() {
        FlowGraph graph = FlowCompiler.parse("env_flow.py", ENV_FLOW);

        RunGraphCheck check = RunGraphCheck.of(graph, RecordedGraph.fromPlain(envRecord(16384L)));

        assertThat(check.matches()).isFalse();
        assertThat(check.differences()).singleElement().satisfies(d -> {
            assertThat(d.step()).isEqualTo("train");
            assertThat(d.decorator()).isEqualTo("resources");
            assertThat(d.attribute()).isEqualTo("memory");
            assertThat(d.runValue()).isEqualTo("16384");
            assertThat(d.compiled()).isEqualTo("8192");
        });
        assertThat(RunGraphCheck.of(graph, RecordedGraph.fromPlain(envRecord(8192L))).matches()).isTrue();
    }

    @Test
    void toPodForms_numbersAsStringsNoneAsStringListsForTuples_compareEqual() {
        assertThat(PodValues.same("4096", 4096L)).isTrue();
        assertThat(PodValues.same(4096, "4096")).isTrue();
        assertThat(PodValues.same("None", null)).isTrue();
        assertThat(PodValues.same(List.of("a", 1L), new ArrayList<>(List.of("a", 1)))).isTrue();
        assertThat(PodValues.same(Map.of("A", "1"), Map.of("A", "1"))).isTrue();
        assertThat(PodValues.same(2.5, "2.5")).isTrue();
        assertThat(PodValues.same(4L, 5L)).isFalse();
        assertThat(PodValues.same("4096", "4096.0")).isFalse(); // two strings: Metaflow would not cast either
        assertThat(PodValues.same(true, "True")).isFalse();
        assertThat(PodValues.same("None", "none")).isFalse();
        assertThat(PodValues.same(List.of(1L, 2L), List.of(2L, 1L))).isFalse();
        assertThat(PodValues.of(new dev.flowgate.compiler.parse.PyExpr.None())).contains("None");
    }

    @Test
    void defaultsTheSourceDoesNotWrite_compareAsMetaflowsStringDefaults() {
        String source = ENV_FLOW.replace("@resources(memory=MEMORY)", "@resources");
        FlowGraph graph = FlowCompiler.parse("env_flow.py", source);

        assertThat(RunGraphCheck.of(graph, RecordedGraph.fromPlain(envRecord("4096"))).matches()).isTrue();
        assertThat(RunGraphCheck.of(graph, RecordedGraph.fromPlain(envRecord(24576L))).differences())
                .extracting(GraphDifference::describe).singleElement().asString()
                .startsWith("step 'train': @resources(memory): the run had 24576, the compiled flow has \"4096\" (the default");
    }

    @Test
    void decoratorsAddedAtRunTimeWithWith_areTheRunsChoice_notCompared() {
        Map<String, Object> record = envRecord(8192L);
        stepDecorators(record, "start").add(deco("retry", attrs("times", "3", "minutes_between_retries", "2"), false, null));
        stepDecorators(record, "end").add(deco("batch", attrs("memory", "None", "queue", "q"), false, null));

        assertThat(RunGraphCheck.of(FlowCompiler.parse("env_flow.py", ENV_FLOW), RecordedGraph.fromPlain(record)).differences())
                .isEmpty();
    }

    @Test
    void aDecoratorWrittenInTheCodeButNotInTheRun_orTheOtherWay_isADifference() {
        Map<String, Object> record = envRecord(8192L);
        stepDecorators(record, "end").add(deco("retry", attrs("times", 2L, "minutes_between_retries", "2"), true, null));
        String source = ENV_FLOW.replace("    @step\n    def start", "    @timeout(minutes=5)\n    @step\n    def start")
                .replace("resources, step", "resources, step, timeout");

        List<String> differences = RunGraphCheck.of(FlowCompiler.parse("env_flow.py", source), RecordedGraph.fromPlain(record))
                .differences().stream().map(GraphDifference::describe).toList();

        assertThat(differences).anyMatch(d -> d.startsWith("step 'end': @retry: the run had @retry written in the code,"
                + " the compiled flow has none"));
        assertThat(differences).anyMatch(d -> d.startsWith("step 'start': @timeout: the run had none, the compiled flow has"
                + " @timeout (line"));
    }

    @Test
    void theGraphsShape_stepsTypesAndTransitions_isCompared() {
        Map<String, Object> record = envRecord(8192L);
        @SuppressWarnings("unchecked")
        Map<String, Object> steps = (Map<String, Object>) record.get("steps");
        steps.put("start", step("start", "start", List.of("extra"), List.of()));
        steps.put("extra", step("extra", "linear", List.of("train"), List.of()));

        List<GraphDifference> differences = RunGraphCheck.of(FlowCompiler.parse("env_flow.py", ENV_FLOW),
                RecordedGraph.fromPlain(record)).differences();

        assertThat(differences).extracting(GraphDifference::describe).contains(
                "step 'extra': step: the run had step extra, the compiled flow has absent (fix: the run's graph differs"
                        + " from the source's (a mutator or code outside the class changed it); Flowgate compiles the graph"
                        + " from the source: make the flow file say what the run executed, run it again and tag that run prod_ready)");
        assertThat(differences).anySatisfy(d -> {
            assertThat(d.step()).isEqualTo("start");
            assertThat(d.attribute()).isEqualTo("next");
            assertThat(d.runValue()).isEqualTo("[\"extra\"]");
            assertThat(d.compiled()).isEqualTo("[\"train\"]");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "torchrun", "deepspeed", "metaflow_ray"})
    void aMutatorThatAddsAGangDecorator_isRefusedWithReasonAndFix(String gang) {
        Map<String, Object> record = envRecord(8192L);
        stepDecorators(record, "train").add(deco(gang, attrs(), true, List.of("__main__.gang")));

        List<GraphDifference> differences = RunGraphCheck.of(FlowCompiler.parse("env_flow.py", ENV_FLOW),
                RecordedGraph.fromPlain(record)).differences();

        assertThat(differences).singleElement().satisfies(d -> {
            assertThat(d.step()).isEqualTo("train");
            assertThat(d.decorator()).isEqualTo(gang);
            assertThat(d.fix()).contains("multi-node gang").contains("write @" + gang + " on the step in the flow file");
        });
    }

    @Test
    void parameters_theRunsAndTheSourcesAttributesAndKinds_mustAgree() {
        Map<String, Object> record = envRecord(8192L);
        record.put("parameters", List.of(Map.of("name", "alpha", "type", "Parameter")));

        List<GraphDifference> differences = RunGraphCheck.of(FlowCompiler.parse("env_flow.py", ENV_FLOW),
                RecordedGraph.fromPlain(record)).differences();

        assertThat(differences).singleElement().satisfies(d -> {
            assertThat(d.attribute()).isEqualTo("parameter alpha");
            assertThat(d.fix()).contains("add_parameter");
        });
    }

    @Test
    void aRecordThatIsNotMetaflows_isRefusedNamingTheField() {
        Map<String, Object> record = envRecord(8192L);
        record.put("steps", List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordedGraph.fromPlain(record))
                .isInstanceOf(RecordedGraph.Malformed.class).hasMessageContaining("steps is not a dict");
    }

    @SuppressWarnings("unchecked")
    static List<Object> stepDecorators(Map<String, Object> record, String step) {
        return (List<Object>) ((Map<String, Object>) ((Map<String, Object>) record.get("steps")).get(step)).get("decorators");
    }

    static Map<String, Object> step(String name, String type, List<String> next, List<Map<String, Object>> decorators) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("name", name);
        step.put("type", type);
        step.put("next", next);
        step.put("decorators", new ArrayList<>(decorators));
        step.put("node_info", Map.of());
        return step;
    }

    static Map<String, Object> deco(String name, Map<String, Object> attributes, boolean statically, List<String> insertedBy) {
        Map<String, Object> deco = new LinkedHashMap<>();
        deco.put("name", name);
        deco.put("attributes", attributes);
        deco.put("statically_defined", statically);
        deco.put("inserted_by", insertedBy);
        return deco;
    }

    static Map<String, Object> attrs(Object... keyValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }
}

package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The distributed-training decorators (metaflow-torchrun's {@code @torchrun}, metaflow-deepspeed's
 * {@code @deepspeed}, metaflow-ray's {@code @metaflow_ray}) each subclass Metaflow's {@code ParallelDecorator}
 * with {@code IS_PARALLEL = True}: the step is a multi-node gang, compiled exactly as {@code @parallel}.
 */
class GangDecoratorTest {

    private static String flow(String imports, String decorator, String gangLine) {
        return imports + "\n\n"
                + "class GangFlow(FlowSpec):\n"
                + "    @step\n"
                + "    def start(self):\n"
                + "        self.next(self.train, num_parallel=3)\n\n"
                + "    @batch(gpu=8, memory=60000, efa=2, host_volumes=[\"/fsx\"], queue=\"efa-queue\")\n"
                + "    " + gangLine + "\n"
                + "    @step\n"
                + "    def train(self):\n"
                + "        self.rank = current.parallel.node_index\n"
                + "        self.next(self.join)\n\n"
                + "    @step\n"
                + "    def join(self, inputs):\n"
                + "        self.next(self.end)\n\n"
                + "    @step\n"
                + "    def end(self):\n"
                + "        pass\n";
    }

    private static String flow(String decorator) {
        return flow("from metaflow import FlowSpec, batch, current, step, " + decorator, decorator, "@" + decorator);
    }

    private static JsonNode definition(String source) throws IOException {
        return FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse("gang_flow.py", source), CorpusGoldenTest.options()).definitionJson());
    }

    @ParameterizedTest
    @ValueSource(strings = {"torchrun", "deepspeed", "metaflow_ray"})
    void eachDistributedTrainingDecorator_makesTheStepAGang_exactlyAsParallelDoes(String decorator) throws IOException {
        FlowGraph graph = FlowCompiler.parse("gang_flow.py", flow(decorator));
        assertThat(graph.step("start").type()).isEqualTo(NodeType.PARALLEL_FOREACH);
        assertThat(graph.step("train").isGang()).isTrue();
        assertThat(graph.step("start").numParallel()).isEqualTo(3);

        JsonNode gang = definition(flow(decorator));
        JsonNode parallel = definition(flow("parallel"));
        assertThat(gang).as("the state machine of @%s is the state machine of @parallel", decorator).isEqualTo(parallel);
        assertThat(gang.at("/States/train/Parameters/NodeOverrides/NumNodes").asInt()).isEqualTo(3);
        assertThat(gang.at("/States/train/Parameters/NodeOverrides/NodePropertyOverrides/0/ContainerOverrides/Command/2").asText())
                .contains("--ubf-context ubf_control --split-index 0");

        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse("gang_flow.py", flow(decorator)), CorpusGoldenTest.options());
        assertThat(compiled.jobDefinitions()).anySatisfy(j -> {
            JsonNode request = FlowgateJson.parse(j.registrationJson());
            assertThat(request.get("type").asText()).isEqualTo("multinode");
            assertThat(request.at("/nodeProperties/numNodes").asInt()).isEqualTo(3);
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "import metaflow\\nfrom metaflow import FlowSpec, batch, current, step | @metaflow.torchrun",
            "from metaflow import * | @torchrun",
            "from metaflow import FlowSpec, batch, current, step, torchrun as tr | @tr(master_port=\"29500\", nproc_per_node=8)",
            "from metaflow import FlowSpec, batch, current, step, metaflow_ray | @metaflow_ray(all_nodes_started_timeout=600)",
    })
    void theDecorator_isRecognisedHoweverMetaflowsNamespaceExposesIt(String imports, String gangLine) throws IOException {
        String source = flow(imports.replace("\\n", "\n"), "", gangLine);
        assertThat(FlowCompiler.parse("gang_flow.py", source).step("train").isGang()).isTrue();
        assertThat(definition(source).at("/States/train/Parameters/NodeOverrides/NumNodes").asInt()).isEqualTo(3);
    }

    @Test
    void aDecoratorOfTheSameNameThatIsNotMetaflows_isNoGang() {
        String source = flow("from metaflow import FlowSpec, batch, current, step\nfrom mylib import torchrun", "", "@torchrun");
        assertThatThrownBy(() -> FlowCompiler.parse("gang_flow.py", source)).isInstanceOf(FlowLintException.class)
                .hasMessageContaining("it is started with num_parallel but has no @parallel")
                .hasMessageContaining("@torchrun (metaflow-torchrun)");
    }

    @Test
    void aGangStepReachedByAStaticSplit_isRefusedNamingItsDecorator() {
        String source = flow("torchrun").replace("self.next(self.train, num_parallel=3)", "self.next(self.train, self.other)")
                .replace("    @step\n    def join(", "    @step\n    def other(self):\n        self.next(self.join)\n\n    @step\n    def join(");
        assertThatThrownBy(() -> FlowCompiler.parse("gang_flow.py", source)).isInstanceOf(FlowLintException.class)
                .hasMessageContaining("a @torchrun step must be reached with self.next(self.train, num_parallel=N)");
    }

    @Test
    void twoGangDecoratorsOnOneStep_areRefused() {
        String source = flow("from metaflow import FlowSpec, batch, current, step, parallel, torchrun", "", "@parallel\n    @torchrun");
        assertThatThrownBy(() -> FlowCompiler.parse("gang_flow.py", source)).isInstanceOf(FlowLintException.class)
                .hasMessageContaining("it has @parallel and @torchrun").hasMessageContaining("keep one of them");
    }
}

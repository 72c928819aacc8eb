package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.model.json.FlowgateJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every path a compiled state reads exists in the input Step Functions gives that state, and leads to the value
 * Metaflow's runtime needs (the run id, the enclosing foreach step's job id, a parent step's task): the compiled
 * definition is walked by {@link DataFlowInterpreter} for the corpus's nested shapes and for random nestings of
 * static splits, foreaches and switches, with inline and with Distributed Maps. A path read from the wrong shape
 * (an object path on a Parallel state's array) fails every execution with {@code States.Runtime}.
 */
class StateInputPathsTest {

    @ParameterizedTest
    @CsvSource({"split_in_foreach_flow.py, false", "split_in_foreach_flow.py, true",
            "switch_in_foreach_flow.py, false", "switch_in_foreach_flow.py, true",
            "foreach_flow.py, false", "distributed_foreach_flow.py, true", "distributed_nested_foreach_flow.py, true",
            "branch_flow.py, false", "switch_flow.py, false", "parallel_flow.py, false", "inherited_flow.py, false"})
    void corpusFlow_everyStateFindsItsInputs(String file, boolean distributed) throws IOException {
        FlowGraph graph = CorpusGoldenTest.parse(CorpusGoldenTest.CORPUS.resolve(file));
        List<DataFlowInterpreter.Job> jobs = run(graph, distributed);
        assertThat(jobs).extracting(DataFlowInterpreter.Job::step).containsAll(graph.steps().keySet().stream()
                .filter(step -> !step.equals("light") && !step.equals("even")).toList());
    }

    /** The shape of issue 13: a static join directly before a foreach join reads the Parallel state's array. */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void staticJoinBeforeAForeachJoin_readsTheSplitParentFromTheFirstBranch(boolean distributed) throws IOException {
        FlowGraph graph = CorpusGoldenTest.parse(CorpusGoldenTest.CORPUS.resolve("split_in_foreach_flow.py"));
        List<DataFlowInterpreter.Job> jobs = run(graph, distributed);
        DataFlowInterpreter.Job merge = jobs.stream().filter(j -> j.step().equals("merge")).findFirst().orElseThrow();
        String start = jobs.stream().filter(j -> j.step().equals("start")).findFirst().orElseThrow().jobId();
        assertThat(merge.env()).containsEntry("METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN", start);
        assertThat(jobs).filteredOn(j -> j.step().equals("gather")).singleElement()
                .satisfies(gather -> assertThat(gather.env()).containsEntry("METAFLOW_SPLIT_PARENT_TASK_ID", start));
    }

    @Property(tries = 200)
    void randomNesting_everyStateFindsItsInputs(@ForAll("seeds") long seed, @ForAll boolean distributed) throws IOException {
        GraphPropertiesTest.Generated flow = GraphPropertiesTest.generate(new Random(seed));
        FlowGraph graph = FlowCompiler.parse("gen.py", flow.source());
        assertThat(run(graph, distributed)).isNotEmpty();
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    private static List<DataFlowInterpreter.Job> run(FlowGraph graph, boolean distributed) throws IOException {
        CompileOptions options = CorpusGoldenTest.options().toBuilder().distributedMap(distributed).build();
        JsonNode definition = FlowgateJson.parse(FlowCompiler.compile(graph, options).definitionJson());
        return new DataFlowInterpreter(graph).run(definition);
    }
}

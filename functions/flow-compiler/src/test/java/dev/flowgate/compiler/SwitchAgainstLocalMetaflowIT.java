package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled switch takes the branch Metaflow's own local runtime takes: the corpus flow is run with the real
 * Metaflow (the project's Python venv, local datastore), the chosen step is read back the way the compiled
 * container reads it ({@code Task(...)["_transition"].data[0][0]}), and the compiled Choice state, evaluated on
 * that value, must lead to the step the local run executed.
 */
class SwitchAgainstLocalMetaflowIT {

    @ParameterizedTest
    @CsvSource({"2, light", "10, heavy"})
    void choiceFollowsMetaflowsLocalRuntime(int size, String expectedStep, @TempDir Path dir) throws Exception {
        Path flow = dir.resolve("switch_flow.py");
        Files.copy(CorpusGoldenTest.CORPUS.resolve("switch_flow.py"), flow);
        String runOutput = LocalMetaflow.succeed(dir, List.of(flow.toString(), "--no-pylint", "run", "--size", Integer.toString(size)));
        assertThat(runOutput).contains("Done!");

        String[] facts = LocalMetaflow.succeed(dir, List.of("-c", String.join("\n",
                "from metaflow import Flow, namespace",
                "namespace(None)",
                "run = Flow('SwitchFlow').latest_run",
                "print(run['start'].task['_transition'].data[0][0])",
                "print(','.join(sorted(s.id for s in run)))"))).trim().split("\n");
        String chosen = facts[facts.length - 2].trim();
        List<String> executed = List.of(facts[facts.length - 1].trim().split(","));

        JsonNode states = FlowgateJson.parse(FlowCompiler.compile(
                FlowCompiler.parse("switch_flow.py", Files.readString(flow)), CorpusGoldenTest.options()).definitionJson()).get("States");
        String next = states.at("/start?/Default").asText();
        for (JsonNode choice : states.at("/start?/Choices")) {
            if (choice.get("StringEquals").asText().equals(chosen)) {
                next = choice.get("Next").asText();
            }
        }
        assertThat(chosen).isEqualTo(expectedStep);
        assertThat(next).isEqualTo(expectedStep);
        assertThat(executed).contains(next).doesNotContain(expectedStep.equals("heavy") ? "light" : "heavy");
    }
}

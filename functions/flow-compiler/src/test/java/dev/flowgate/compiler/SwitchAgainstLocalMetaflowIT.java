package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled switch takes the branch Metaflow's own local runtime takes: the corpus flow is run with the real
 * Metaflow (the project's Python venv, local datastore), the chosen step is read back the way the compiled
 * container reads it ({@code Task(...)["_transition"].data[0][0]}), and the compiled Choice state, evaluated on
 * that value, must lead to the step the local run executed.
 */
class SwitchAgainstLocalMetaflowIT {
    private static final Path PYTHON = Path.of("../../.venv/bin/python").toAbsolutePath().normalize();

    @ParameterizedTest
    @CsvSource({"2, light", "10, heavy"})
    void choiceFollowsMetaflowsLocalRuntime(int size, String expectedStep, @TempDir Path dir) throws Exception {
        assertThat(PYTHON).as("the project venv (scripts/bootstrap-python)").exists();
        Path flow = dir.resolve("switch_flow.py");
        Files.copy(CorpusGoldenTest.CORPUS.resolve("switch_flow.py"), flow);
        String runOutput = python(dir, List.of(flow.toString(), "--no-pylint", "run", "--size", Integer.toString(size)));
        assertThat(runOutput).contains("Done!");

        String[] facts = python(dir, List.of("-c", String.join("\n",
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

    private static String python(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(PYTHON.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("METAFLOW_HOME", dir.resolve(".mfhome").toString());
        env.put("METAFLOW_DEFAULT_METADATA", "local");
        env.put("METAFLOW_DEFAULT_DATASTORE", "local");
        env.put("METAFLOW_DATASTORE_SYSROOT_LOCAL", dir.toString());
        env.put("USERNAME", "flowgate-test");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}

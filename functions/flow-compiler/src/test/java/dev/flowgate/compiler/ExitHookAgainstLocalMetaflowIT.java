package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled hooks are the ones Metaflow's own local runtime runs, in the same order, with the same outcome:
 * the corpus flow (two {@code @exit_hook} decorators, a hook listed twice, an imported hook that fails) is run
 * with the real Metaflow of the project venv, once succeeding and once failing; the hooks it ran, in order, must
 * be the functions the compiled hook states pass to the exit hook script along the success path or the error
 * path, and a failing hook must not change the run's result.
 */
class ExitHookAgainstLocalMetaflowIT {
    private static final Pattern HOOK_RAN = Pattern.compile("^HOOK (\\w+)|\\[exit_hook] Hook '([^']+)' failed", Pattern.MULTILINE);

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1"})
    void compiledHooksAreTheHooksMetaflowRuns(int fail, int expectedExit, @TempDir Path dir) throws Exception {
        Path flow = dir.resolve("exit_hook_flow.py");
        Files.copy(CorpusGoldenTest.CORPUS.resolve("exit_hook_flow.py"), flow);
        Files.writeString(dir.resolve("team_hooks.py"), """
                def notify_channel():
                    raise RuntimeError("the channel is gone")
                """);
        LocalMetaflow.Result local = LocalMetaflow.run(dir, List.of(flow.toString(), "--no-pylint", "run", "--fail", Integer.toString(fail)));
        assertThat(local.exit()).as(local.output()).isEqualTo(expectedExit);
        List<String> ran = new ArrayList<>();
        Matcher m = HOOK_RAN.matcher(local.output());
        while (m.find()) {
            ran.add(m.group(1) != null ? m.group(1) : m.group(2));
        }

        JsonNode states = FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse("exit_hook_flow.py", Files.readString(flow)),
                CorpusGoldenTest.options()).definitionJson()).get("States");
        String first = fail == 0 ? states.at("/exit_hook:run/Next").asText() : states.at("/exit_hook:run/Catch/0/Next").asText();
        List<String> compiled = new ArrayList<>();
        for (String at = first; states.at("/" + at.replace("~", "~0").replace("/", "~1") + "/Type").asText().equals("Task"); ) {
            JsonNode hook = states.get(at);
            compiled.add(hook.at("/Parameters/Parameters/metaflow.exit_hook").asText());
            assertThat(hook.at("/Catch/0/Next").asText()).isEqualTo(hook.get("Next").asText());
            at = hook.get("Next").asText();
        }

        assertThat(ran).as(local.output()).isNotEmpty();
        assertThat(compiled).isEqualTo(ran);
        assertThat(local.output()).contains("[exit_hook] Hook 'notify_channel' failed")
                .contains(fail == 0 ? "Done!" : "training diverged");
    }


}

package dev.flowgate.alerter.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.alerter.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AlertRendererTest {
    private final AlertRenderer renderer = new AlertRenderer(
            new ConsoleLinks(Optional.of("https://metaflow-ui.example.com/"), "/aws/batch/job"),
            ChannelRouting.parse("churn=#churn-alerts", Optional.of("#ml-alerts")));

    private static ExecutionAlert alert(String event, Map<String, String> tags, String history) {
        return Enrichment.enrich(Fixtures.event(event), tags, new ExecutionTrace(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Fixtures.history(history)));
    }

    @Test
    void render_whenBatchFailure_hasFieldsCauseAndThreeLinks() throws IOException {
        SlackMessage m = renderer.render(alert("events/sfn-execution-failed.json", Fixtures.PROD_TAGS, "history/batch-failure.json"));
        save("batch-failure", m);
        assertThat(m.channel()).contains("#churn-alerts");
        assertThat(m.text()).isEqualTo("TrainFlow (production) failed at step train: States.TaskFailed — "
                + "Essential container in task exited (exit code 1) (run sfn-2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11)");
        JsonNode blocks = m.blocks();
        assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo(":red_circle: TrainFlow (production) failed");
        assertThat(fieldTexts(blocks)).contains("*Failed step*\n`train`", "*Error*\n`States.TaskFailed`",
                "*Duration*\n12m 41s", "*Commit*\n`9b1e4c2d7a6f`", "*Run*\n`TrainFlow/sfn-2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11`");
        assertThat(blocks.toString()).contains("*Cause*\\n```Essential container in task exited (exit code 1)```");
        List<String> urls = buttonUrls(blocks);
        assertThat(urls).containsExactly(
                "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/"
                        + "arn:aws:states:us-east-1:123456789012:execution:churn.prod.TrainFlow:2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11",
                "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/"
                        + "$252Faws$252Fbatch$252Fjob/log-events/metaflow$252Fdefault$252F0a1b2c3d4e5f",
                "https://metaflow-ui.example.com/TrainFlow/sfn-2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11");
    }

    @Test
    void render_whenTimedOut_isCompactWithoutCause() throws IOException {
        SlackMessage m = renderer.render(alert("events/sfn-execution-timed-out.json", Fixtures.PROD_TAGS, "history/timeout.json"));
        save("timed-out", m);
        assertThat(m.blocks().toString()).doesNotContain("*Cause*").doesNotContain("*Error*");
        assertThat(fieldTexts(m.blocks())).contains("*Failed step*\n`sweep`", "*Duration*\n4h 0m");
        assertThat(m.text()).isEqualTo("TrainFlow (production) timed out at step sweep (run sfn-sched-20261128)");
    }

    @Test
    void render_whenNoProjectAndNoUi_routesToDefaultAndOmitsUiButton() {
        AlertRenderer plain = new AlertRenderer(new ConsoleLinks(Optional.empty(), "/aws/batch/job"),
                ChannelRouting.parse("", Optional.of("#ml-alerts")));
        SlackMessage m = plain.render(alert("events/sfn-execution-failed.json", Map.of(), "history/lambda-error.json"));
        assertThat(m.channel()).contains("#ml-alerts");
        assertThat(buttonUrls(m.blocks())).hasSize(1);
        assertThat(fieldTexts(m.blocks())).contains("*Branch*\n_no project_");
    }

    @Test
    void render_whenMachineCarriesTheManifestChannel_itWinsOverSettings() {
        Map<String, String> tags = new java.util.HashMap<>(Fixtures.PROD_TAGS);
        tags.put("flowgate:slack_channel", "#churn-oncall");
        SlackMessage m = renderer.render(alert("events/sfn-execution-failed.json", tags, "history/batch-failure.json"));
        assertThat(m.channel()).contains("#churn-oncall");
    }

    @Test
    void render_whenHugeNonJsonCause_staysWithinSlackLimits() {
        ExecutionAlert a = alert("events/sfn-execution-failed.json", Fixtures.PROD_TAGS, "history/batch-failure.json");
        String huge = "Traceback (most recent call last):\n" + "  File \"flow.py\", line 9, in train\n".repeat(2000)
                + "MemoryError";
        var trace = new ExecutionTrace(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(new HistoryEvent(3, "ExecutionFailed", Instant.EPOCH, null, "MemoryError", huge, null, null),
                        new HistoryEvent(2, "TaskStateEntered", Instant.EPOCH, "train", null, null, null, null)));
        SlackMessage m = renderer.render(Enrichment.enrich(Fixtures.event("events/sfn-execution-failed.json"),
                Fixtures.PROD_TAGS, trace));
        String cause = m.blocks().get(2).path("text").path("text").asText();
        assertThat(cause).startsWith("*Cause*\n```Traceback").contains("more characters)").hasSizeLessThan(1100);
        assertThat(cause.lines().count()).isLessThanOrEqualTo(9);
        assertThat(m.text()).hasSizeLessThan(300);
        assertThat(a.failure().step()).contains("train");
    }

    @Test
    void render_escapesMarkupAndRespectsSlackLimits() {
        ExecutionAlert a = alert("events/sfn-execution-failed.json", Map.of("flowgate:run", "F".repeat(300) + "/1"),
                "history/batch-failure.json");
        SlackMessage m = renderer.render(new ExecutionAlert(a.status(), a.region(), a.executionArn(), a.executionName(),
                a.stateMachineArn(), a.stateMachineName(), a.flow(), a.project(), a.branch(), a.gitSha(), a.channel(), a.runId(),
                new FailurePoint(Optional.of("<step>"), Optional.of("E&E"), "cause <b>", Optional.empty(), Optional.empty(),
                        Optional.empty()), a.startDate(), a.duration()));
        assertThat(m.blocks().get(0).path("text").path("text").asText()).hasSizeLessThanOrEqualTo(150);
        assertThat(m.blocks().toString()).contains("`&lt;step&gt;`", "`E&amp;E`", "cause &lt;b&gt;");
    }

    @Test
    void render_whenDeploymentFailure_usesTheManifestChannel() throws IOException {
        var d = ((AlerterInput.DeploymentFailed) AlerterEvents.parse(Fixtures.json("events/deployment-failed.json"))).failure();
        SlackMessage m = renderer.render(d);
        save("deployment-failed", m);
        assertThat(m.channel()).contains("#churn-deploys");
        assertThat(fieldTexts(m.blocks())).contains("*Outcome*\n`mismatch`", "*Commit*\n`9b1e4c2d7a6f`");
        assertThat(m.text()).startsWith("Deployment of TrainFlow failed (mismatch): code package of TrainFlow/1841");
    }

    @Test
    void render_whenBurst_countsTheRest() throws IOException {
        SlackMessage m = renderer.render(new BurstSummary("arn:aws:states:us-east-1:1:stateMachine:churn.prod.TrainFlow",
                "churn.prod.TrainFlow", "TrainFlow", Optional.of("churn"), "us-east-1",
                Instant.parse("2026-11-28T06:10:00Z"), Instant.parse("2026-11-28T06:15:00Z"), 200, List.of("a", "b")));
        save("burst", m);
        assertThat(m.blocks().get(0).path("text").path("text").asText()).isEqualTo(":rotating_light: TrainFlow: 199 more failures");
        assertThat(m.text()).contains("199 more failures", "2026-11-28 06:10 UTC");
        assertThat(m.channel()).contains("#churn-alerts");
    }

    private static List<String> fieldTexts(JsonNode blocks) {
        List<String> out = new ArrayList<>();
        blocks.forEach(b -> b.path("fields").forEach(f -> out.add(f.path("text").asText())));
        return out;
    }

    private static List<String> buttonUrls(JsonNode blocks) {
        List<String> out = new ArrayList<>();
        blocks.forEach(b -> b.path("elements").forEach(e -> {
            if (e.has("url")) {
                out.add(e.get("url").asText());
            }
        }));
        return out;
    }

    /** The rendered payloads the README shows (target/rendered/*.json). */
    private static void save(String name, SlackMessage m) throws IOException {
        Path dir = Path.of("target", "rendered");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"),
                Fixtures.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m.payload(Optional.empty())));
    }
}

package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Renders alerts as Slack Block Kit messages with a plain-text fallback ({@code text}, shown in
 * notifications and by clients without blocks). FAILED gets the full message with the cause;
 * TIMED_OUT/ABORTED the compact one. Slack's limits are respected: header 150 chars, fields 2000,
 * section text 3000, button text 75.
 */
public final class AlertRenderer {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private final ConsoleLinks links;
    private final ChannelRouting routing;

    public AlertRenderer(ConsoleLinks links, ChannelRouting routing) {
        this.links = links;
        this.routing = routing;
    }

    public SlackMessage render(ExecutionAlert a) {
        FailurePoint f = a.failure();
        String where = a.branchLabel().isEmpty() ? "" : " (" + a.branchLabel() + ")";
        String emoji = a.status() == AlertStatus.FAILED ? ":red_circle:" : a.status() == AlertStatus.TIMED_OUT
                ? ":hourglass:" : ":no_entry_sign:";
        ArrayNode blocks = JSON.arrayNode();
        header(blocks, emoji + " " + a.flow() + where + " " + a.status().verb());
        List<String> fields = new ArrayList<>();
        fields.add("*Flow*\n" + esc(a.flow()));
        fields.add("*Branch*\n" + (a.branchLabel().isEmpty() ? "_no project_" : esc(a.branchLabel())));
        fields.add("*Failed step*\n" + f.step().map(s -> "`" + esc(s) + "`").orElse("_unknown_"));
        fields.add("*Duration*\n" + a.duration().map(AlertRenderer::duration).orElse("_unknown_"));
        if (!a.status().compact()) {
            fields.add("*Error*\n" + f.error().map(e -> "`" + esc(e) + "`").orElse("_none_"));
            fields.add("*Run*\n`" + esc(a.flow() + "/" + a.runId()) + "`");
            a.startDate().ifPresent(s -> fields.add("*Started*\n" + TIME.format(s)));
            a.gitSha().ifPresent(sha -> fields.add("*Commit*\n`" + esc(sha.length() > 12 ? sha.substring(0, 12) : sha) + "`"));
        }
        section(blocks, fields);
        if (!a.status().compact() && !f.causeExcerpt().isEmpty()) {
            markdown(blocks, "*Cause*\n```" + esc(f.causeExcerpt()) + "```");
        }
        ArrayNode actions = JSON.arrayNode();
        button(actions, "Step Functions execution", links.execution(a.region(), a.executionArn()), "primary");
        f.logStream().ifPresent(s -> button(actions, "Batch job logs", links.logStream(a.region(), s), null));
        if (f.logStream().isEmpty()) {
            f.batchJobId().ifPresent(id -> button(actions, "Batch job", links.batchJob(a.region(), id), null));
        }
        links.metaflowRun(a.flow(), a.runId()).ifPresent(u -> button(actions, "Metaflow run", u, null));
        blocks.addObject().put("type", "actions").set("elements", actions);
        context(blocks, "state machine `" + esc(a.stateMachineName()) + "` · execution `" + esc(a.executionName()) + "`"
                + f.batchJobId().map(id -> " · Batch job `" + esc(id) + "`").orElse("")
                + f.batchStatusReason().filter(r -> a.status().compact()).map(r -> " · " + esc(r)).orElse(""));
        String text = a.flow() + where + " " + a.status().verb()
                + f.step().map(s -> " at step " + s).orElse("")
                + f.error().filter(e -> !a.status().compact()).map(e -> ": " + e).orElse("")
                + (a.status().compact() || f.causeExcerpt().isEmpty() ? "" : " — " + f.causeExcerpt().lines().findFirst().orElse(""))
                + " (run " + a.runId() + ")";
        return new SlackMessage(a.channel().or(() -> routing.channelFor(a.project())), text, blocks);
    }

    public SlackMessage render(DeploymentFailedEvent d) {
        ArrayNode blocks = JSON.arrayNode();
        header(blocks, ":warning: Deployment of " + d.flow() + " failed");
        List<String> fields = new ArrayList<>();
        fields.add("*Flow*\n" + esc(d.flow()));
        fields.add("*Outcome*\n`" + esc(d.outcome()) + "`");
        if (!d.repository().isEmpty()) {
            fields.add("*Repository*\n" + esc(d.repository()));
        }
        if (!d.branch().isEmpty()) {
            fields.add("*Branch*\n" + esc(d.branch()));
        }
        if (!d.commitSha().isEmpty()) {
            fields.add("*Commit*\n`" + esc(d.commitSha().length() > 12 ? d.commitSha().substring(0, 12) : d.commitSha()) + "`");
        }
        fields.add("*Deployment*\n`" + esc(d.deploymentId()) + "`");
        section(blocks, fields);
        if (!d.message().isEmpty()) {
            markdown(blocks, "```" + esc(CauseText.shorten(d.message())) + "```");
        }
        Optional<String> channel = d.channel().or(() -> routing.channelFor(Optional.of(d.project()).filter(p -> !p.isEmpty())));
        String text = "Deployment of " + d.flow() + " failed (" + d.outcome() + ")"
                + (d.message().isEmpty() ? "" : ": " + d.message().lines().findFirst().orElse(""));
        return new SlackMessage(channel, text, blocks);
    }

    /** The one message that stands for a burst: the first failure was alerted in full, these are the rest. */
    public SlackMessage render(BurstSummary b) {
        ArrayNode blocks = JSON.arrayNode();
        header(blocks, ":rotating_light: " + b.flow() + ": " + b.more() + " more failure" + (b.more() == 1 ? "" : "s"));
        markdown(blocks, b.more() + " more execution" + (b.more() == 1 ? "" : "s") + " of `" + esc(b.stateMachineName())
                + "` ended FAILED, TIMED_OUT or ABORTED between " + TIME.format(b.windowStart()) + " and "
                + TIME.format(b.windowEnd()) + " (" + b.total() + " in total; the first was alerted in detail above)."
                + (b.examples().isEmpty() ? "" : "\nExamples: " + String.join(", ", b.examples().stream().map(e -> "`" + esc(e) + "`").toList())));
        ArrayNode actions = JSON.arrayNode();
        button(actions, "State machine executions", links.stateMachine(b.region(), b.stateMachineArn()), "primary");
        blocks.addObject().put("type", "actions").set("elements", actions);
        String text = b.flow() + ": " + b.more() + " more failures of " + b.stateMachineName() + " between "
                + TIME.format(b.windowStart()) + " and " + TIME.format(b.windowEnd());
        return new SlackMessage(routing.channelFor(b.project()), text, blocks);
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }

    /** Slack mrkdwn needs only &, < and > escaped. */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void header(ArrayNode blocks, String text) {
        ObjectNode h = blocks.addObject().put("type", "header");
        h.putObject("text").put("type", "plain_text").put("text", cut(text, 150)).put("emoji", true);
    }

    private static void section(ArrayNode blocks, List<String> fields) {
        ArrayNode arr = blocks.addObject().put("type", "section").putArray("fields");
        fields.stream().limit(10).forEach(f -> arr.addObject().put("type", "mrkdwn").put("text", cut(f, 2000)));
    }

    private static void markdown(ArrayNode blocks, String text) {
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", cut(text, 3000));
    }

    private static void context(ArrayNode blocks, String text) {
        blocks.addObject().put("type", "context").putArray("elements").addObject()
                .put("type", "mrkdwn").put("text", cut(text, 3000));
    }

    private static void button(ArrayNode actions, String label, String url, String style) {
        if (url.length() > 3000) {
            return;
        }
        ObjectNode b = actions.addObject().put("type", "button");
        b.putObject("text").put("type", "plain_text").put("text", cut(label, 75));
        b.put("url", url);
        if (style != null) {
            b.put("style", style);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}

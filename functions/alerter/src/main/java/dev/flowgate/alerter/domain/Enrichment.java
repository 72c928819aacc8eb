package dev.flowgate.alerter.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Builds the {@link ExecutionAlert} from the status-change event and what Step Functions says. */
public final class Enrichment {
    public static final String GIT_SHA_TAG = "flowgate:git_sha";
    public static final String PROJECT_TAG = "flowgate:project";
    public static final String BRANCH_TAG = "flowgate:branch";
    public static final String RUN_TAG = "flowgate:run";
    /** Optional: the Slack channel from the project's flowgate.yaml, stamped on the machine by the deployer. */
    public static final String CHANNEL_TAG = "flowgate:slack_channel";

    private Enrichment() {
    }

    public static String stateMachineName(String stateMachineArn) {
        int colon = stateMachineArn.lastIndexOf(':');
        return colon < 0 ? stateMachineArn : stateMachineArn.substring(colon + 1);
    }

    /**
     * The flow: from the deployer's {@code flowgate:run} tag ("HelloFlow/1234"), else the last dot-separated
     * part of the machine name (Metaflow names @project machines {@code <project>.<branch>.<Flow>}).
     */
    public static String flow(String machineName, Map<String, String> tags) {
        String run = tags.getOrDefault(RUN_TAG, "");
        if (!run.isBlank()) {
            return run.split("/", 2)[0];
        }
        int dot = machineName.lastIndexOf('.');
        return dot < 0 ? machineName : machineName.substring(dot + 1);
    }

    public static ExecutionAlert enrich(AlerterInput.ExecutionStatusChange event, Map<String, String> tags,
                                        ExecutionTrace trace) {
        String machine = stateMachineName(event.stateMachineArn());
        FailurePoint failure = FailureAnalyzer.analyze(trace.newestFirst(),
                event.error().or(trace::error), event.cause().or(trace::cause));
        Optional<Instant> start = event.startDate().or(trace::startDate);
        Optional<Instant> stop = event.stopDate().or(trace::stopDate);
        Optional<Duration> duration = start.flatMap(s -> stop.map(e -> Duration.between(s, e)))
                .filter(d -> !d.isNegative());
        return new ExecutionAlert(event.status(), event.region(), event.executionArn(), event.executionName(),
                event.stateMachineArn(), machine, flow(machine, tags), tag(tags, PROJECT_TAG), tag(tags, BRANCH_TAG),
                tag(tags, GIT_SHA_TAG), tag(tags, CHANNEL_TAG), "sfn-" + event.executionName(), failure, start, duration);
    }

    private static Optional<String> tag(Map<String, String> tags, String key) {
        return Optional.ofNullable(tags.get(key)).filter(v -> !v.isBlank());
    }
}

package dev.flowgate.model.events;

import dev.flowgate.model.json.FlowgateJson;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The wire contract between the deployer and the alerter: a failed deployment as an EventBridge-shaped event
 * ({@code {"source":"flowgate.deployer","detail-type":"Deployment Failed","detail":{...}}}), sent by Lambda invoke
 * or PutEvents. One record for both sides, so they cannot drift: the deployer writes it, the alerter reads it and
 * alerts from it. Absent text fields are empty strings; an absent outcome is {@code error}.
 *
 * @param channel the Slack channel named in the project's flowgate.yaml, if any (overrides routing)
 */
public record DeploymentFailedEvent(String deploymentId, String flow, String project, String repository,
                                    String commitSha, String branch, String outcome, String message,
                                    Optional<String> channel, Instant time) {
    public static final String SOURCE = "flowgate.deployer";
    public static final String DETAIL_TYPE = "Deployment Failed";

    public DeploymentFailedEvent {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(flow, "flow");
        project = nz(project);
        repository = nz(repository);
        commitSha = nz(commitSha);
        branch = nz(branch);
        outcome = outcome == null || outcome.isEmpty() ? "error" : outcome;
        message = nz(message);
        channel = channel == null ? Optional.empty() : channel;
        time = time == null ? Instant.EPOCH : time;
    }

    /** The event as JSON text. */
    public String toJson() {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("deployment_id", deploymentId);
        detail.put("flow", flow);
        detail.put("project", project);
        detail.put("repository", repository);
        detail.put("commit_sha", commitSha);
        detail.put("branch", branch);
        detail.put("outcome", outcome);
        detail.put("message", message);
        channel.ifPresent(c -> detail.put("channel", c));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("source", SOURCE);
        event.put("detail-type", DETAIL_TYPE);
        event.put("time", time.toString());
        event.put("detail", detail);
        return FlowgateJson.write(event);
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }
}

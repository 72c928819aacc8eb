package dev.flowgate.alerter.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A failed deployment, as the deployer reports it to the alerter. On the wire (EventBridge PutEvents or a
 * Lambda invoke of flowgate-alerter) it is the event {@code {"source":"flowgate.deployer","detail-type":
 * "Deployment Failed","detail":{...}}} written by {@link AlerterEvents#deploymentFailedEvent}.
 *
 * @param channel the Slack channel named in the project's flowgate.yaml, if any (overrides routing)
 */
public record DeploymentFailure(String deploymentId, String flow, String project, String repository,
                                String commitSha, String branch, String outcome, String message,
                                Optional<String> channel, Instant time) {
    public DeploymentFailure {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(flow, "flow");
        project = project == null ? "" : project;
        repository = repository == null ? "" : repository;
        commitSha = commitSha == null ? "" : commitSha;
        branch = branch == null ? "" : branch;
        outcome = outcome == null ? "error" : outcome;
        message = message == null ? "" : message;
        channel = channel == null ? Optional.empty() : channel;
        time = time == null ? Instant.EPOCH : time;
    }
}

package dev.flowgate.alerter.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Everything one execution alert shows. {@code runId} is the Metaflow run id Metaflow gives a Step
 * Functions run: {@code sfn-<execution name>}. {@code branch} is the @project branch ("prod" or
 * "prod.x" = production; "user.alice", "test.x" otherwise). {@code channel}: the machine's
 * {@code flowgate:slack_channel} tag (the project manifest's channel), which wins over settings routing.
 */
public record ExecutionAlert(AlertStatus status, String region, String executionArn, String executionName,
                             String stateMachineArn, String stateMachineName, String flow, Optional<String> project,
                             Optional<String> branch, Optional<String> gitSha, Optional<String> channel, String runId, FailurePoint failure,
                             Optional<Instant> startDate, Optional<Duration> duration) {

    public boolean production() {
        return branch.map(b -> b.equals("prod") || b.startsWith("prod.")).orElse(false);
    }

    /** "production", "production (prod.x)" or the branch; "" when the machine has no project. */
    public String branchLabel() {
        if (branch.isEmpty()) {
            return "";
        }
        String b = branch.get();
        return b.equals("prod") ? "production" : b.startsWith("prod.") ? "production (" + b + ")" : b;
    }
}

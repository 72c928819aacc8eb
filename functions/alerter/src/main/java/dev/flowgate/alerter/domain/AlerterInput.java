package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;

import java.time.Instant;
import java.util.Optional;

/** What one alerter invocation was asked to do, parsed from the event JSON by {@link AlerterEvents}. */
public sealed interface AlerterInput {

    /** EventBridge "Step Functions Execution Status Change" with an alerting status. */
    record ExecutionStatusChange(String region, String executionArn, String stateMachineArn, String executionName,
                                 AlertStatus status, Optional<Instant> startDate, Optional<Instant> stopDate,
                                 Optional<String> error, Optional<String> cause) implements AlerterInput {
    }

    /** A failed deployment reported by the deployer (see {@link DeploymentFailedEvent}). */
    record DeploymentFailed(DeploymentFailedEvent failure) implements AlerterInput {
    }

    /** Time to post the summaries of burst windows that have closed (scheduled every minute). */
    record FlushBursts() implements AlerterInput {
    }

    /** Valid, but nothing to alert (e.g. a SUCCEEDED or RUNNING status change). */
    record Ignored(String reason) implements AlerterInput {
    }
}

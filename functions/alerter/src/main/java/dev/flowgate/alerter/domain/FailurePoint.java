package dev.flowgate.alerter.domain;

import java.util.Optional;

/**
 * Where and why an execution stopped: the state (= Metaflow step) that was running, the error and the
 * shortened cause; for an AWS Batch task also the job id, its status reason and CloudWatch log stream.
 */
public record FailurePoint(Optional<String> step, Optional<String> error, String causeExcerpt,
                           Optional<String> batchJobId, Optional<String> batchStatusReason,
                           Optional<String> logStream) {
}

package dev.flowgate.alerter.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A closed burst window of one state machine: {@code total} alerts, the first posted in full. */
public record BurstSummary(String stateMachineArn, String stateMachineName, String flow, Optional<String> project,
                           String region, Instant windowStart, Instant windowEnd, long total, List<String> examples) {
    public long more() {
        return total - 1;
    }
}

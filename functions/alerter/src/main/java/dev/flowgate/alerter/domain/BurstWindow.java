package dev.flowgate.alerter.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A fixed time window of one state machine in which only the first alert is posted in full. */
public record BurstWindow(String stateMachineArn, String stateMachineName, String flow, Optional<String> project,
                          String region, Instant start, Instant end) {

    public static BurstWindow of(ExecutionAlert a, Instant now, Duration length) {
        long size = length.toSeconds();
        long start = Math.floorDiv(now.getEpochSecond(), size) * size;
        return new BurstWindow(a.stateMachineArn(), a.stateMachineName(), a.flow(), a.project(), a.region(),
                Instant.ofEpochSecond(start), Instant.ofEpochSecond(start + size));
    }
}

package dev.flowgate.metadata.domain;

/**
 * A task to create under an existing run and step; the store allocates its number. When
 * {@code lastHeartbeatTs} is set the run's heartbeat is refreshed too.
 */
public record NewTask(String flowId, long runNumber, String stepName, String taskName, String userName,
                      long tsEpoch, Long lastHeartbeatTs) {
}

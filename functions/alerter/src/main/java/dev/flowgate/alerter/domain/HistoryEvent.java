package dev.flowgate.alerter.domain;

import java.time.Instant;

/**
 * One Step Functions history event, reduced to what the alert needs. {@code stateName} is set on
 * *StateEntered/*StateExited events; {@code error}/{@code cause} on *Failed/*TimedOut/*Aborted events;
 * {@code resourceType}/{@code resource} on Task events (e.g. "batch" / "submitJob.sync").
 */
public record HistoryEvent(long id, String type, Instant timestamp, String stateName, String error, String cause,
                           String resourceType, String resource) {
}

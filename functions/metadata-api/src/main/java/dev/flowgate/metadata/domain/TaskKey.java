package dev.flowgate.metadata.domain;

/** The internal key of a task: flow, run number, step, task number. */
public record TaskKey(String flowId, long runNumber, String stepName, long taskNumber) {
}

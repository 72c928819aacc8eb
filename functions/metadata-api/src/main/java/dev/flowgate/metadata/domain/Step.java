package dev.flowgate.metadata.domain;

/** A step of a run; its tags are always read through from the run. */
public record Step(String flowId, long runNumber, String stepName, String userName, long tsEpoch) {
}

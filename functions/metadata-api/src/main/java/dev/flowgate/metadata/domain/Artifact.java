package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.ObjectId;

/**
 * One data artifact of one task attempt. {@code runId}/{@code taskId} are the ids Metaflow sees (string ids
 * when registered), kept with the row because they never change once registered.
 */
public record Artifact(TaskKey key, ObjectId runId, ObjectId taskId, int attemptId, String name, String location,
                       String dsType, String sha, String type, String contentType, String userName, long tsEpoch) {
}

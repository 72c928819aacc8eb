package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.ObjectId;

/** A task; {@code taskName} is the registered string id (null for allocated numeric ids). */
public record Task(TaskKey key, String taskName, String userName, long tsEpoch, Long lastHeartbeatTs) {

    public ObjectId exposedId() {
        return taskName != null ? ObjectId.ofName(taskName) : ObjectId.ofNumber(key.taskNumber());
    }
}

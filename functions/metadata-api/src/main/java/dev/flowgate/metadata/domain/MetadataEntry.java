package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.ObjectId;

import java.util.List;

/** One metadata row of a task; {@code id} is allocated by the store, increasing per task. */
public record MetadataEntry(TaskKey key, ObjectId runId, ObjectId taskId, long id, String fieldName, String value,
                            String type, String userName, long tsEpoch, List<String> tags) {
    public MetadataEntry {
        tags = List.copyOf(tags);
    }

    public MetadataEntry withId(long newId) {
        return new MetadataEntry(key, runId, taskId, newId, fieldName, value, type, userName, tsEpoch, tags);
    }
}

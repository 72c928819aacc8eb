package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.ObjectId;

import java.util.List;

/**
 * One metadata row of a task; {@code id} is allocated by the store, increasing per task. {@code tags} and
 * {@code systemTags} are the row's own, as posted (the reference returns them, not the run's).
 */
public record MetadataEntry(TaskKey key, ObjectId runId, ObjectId taskId, long id, String fieldName, String value,
                            String type, String userName, long tsEpoch, List<String> tags, List<String> systemTags) {
    public MetadataEntry {
        tags = List.copyOf(tags);
        systemTags = List.copyOf(systemTags);
    }

    public MetadataEntry withId(long newId) {
        return new MetadataEntry(key, runId, taskId, newId, fieldName, value, type, userName, tsEpoch, tags, systemTags);
    }
}

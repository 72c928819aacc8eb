package dev.flowgate.metadata.domain;

import java.util.Set;

/** A run to create; the store allocates its number. {@code runId} is null unless a string id was registered. */
public record NewRun(String flowId, String runId, String userName, long tsEpoch, Set<String> tags,
                     Set<String> systemTags, Long lastHeartbeatTs) {
    public NewRun {
        tags = Set.copyOf(tags);
        systemTags = Set.copyOf(systemTags);
    }
}

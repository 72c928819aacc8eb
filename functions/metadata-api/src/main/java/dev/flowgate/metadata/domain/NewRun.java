package dev.flowgate.metadata.domain;

import java.util.Set;

/**
 * A run to create; the store allocates its number. {@code runId} is null unless a string id was registered;
 * {@code gateTagging} is set when the run is created with the gate tag (stored in the same write).
 */
public record NewRun(String flowId, String runId, String userName, long tsEpoch, Set<String> tags,
                     Set<String> systemTags, Long lastHeartbeatTs, GateTagging gateTagging) {
    public NewRun {
        tags = Set.copyOf(tags);
        systemTags = Set.copyOf(systemTags);
    }

    public NewRun(String flowId, String runId, String userName, long tsEpoch, Set<String> tags, Set<String> systemTags,
                  Long lastHeartbeatTs) {
        this(flowId, runId, userName, tsEpoch, tags, systemTags, lastHeartbeatTs, null);
    }
}

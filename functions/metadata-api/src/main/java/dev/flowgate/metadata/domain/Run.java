package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.ObjectId;

import java.util.Optional;
import java.util.Set;

/**
 * A run. {@code number} is the internal key allocated by the store; {@code runId} is the string id an
 * orchestrator registered (null for runs created without one). {@code version} changes on every tag write.
 * {@code gateTagging} is who first added the gate tag, or null.
 */
public record Run(String flowId, long number, String runId, String userName, long tsEpoch,
                  Set<String> tags, Set<String> systemTags, Long lastHeartbeatTs, long version, GateTagging gateTagging) {

    public Run {
        tags = Set.copyOf(tags);
        systemTags = Set.copyOf(systemTags);
    }

    public Run(String flowId, long number, String runId, String userName, long tsEpoch, Set<String> tags,
               Set<String> systemTags, Long lastHeartbeatTs, long version) {
        this(flowId, number, runId, userName, tsEpoch, tags, systemTags, lastHeartbeatTs, version, null);
    }

    /** The id Metaflow sees: the registered string id when there is one, else the number. */
    public ObjectId exposedId() {
        return runId != null ? ObjectId.ofName(runId) : ObjectId.ofNumber(number);
    }

    public Optional<GateTagging> gate() {
        return Optional.ofNullable(gateTagging);
    }
}

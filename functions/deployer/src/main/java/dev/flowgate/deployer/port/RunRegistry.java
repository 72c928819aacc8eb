package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.TaggedRun;

import java.util.List;
import java.util.Optional;

/** Runs as the Metaflow metadata service knows them, searched in the global namespace. */
public interface RunRegistry {
    /** The newest run (by {@code ts_epoch}) of {@code flow} carrying {@code tag}; empty if none. */
    Optional<TaggedRun> newestTagged(String flow, String tag);

    /** Adds user tags to a run (idempotent). */
    void addTags(String flow, String runId, List<String> tags);
}

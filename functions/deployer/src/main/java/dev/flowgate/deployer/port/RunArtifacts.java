package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.TaggedRun;

/**
 * Artifacts a run stored: the record the metadata service holds (its content-addressed key) and the object in the
 * team's datastore, as Metaflow stored it (gzip of a pickle). Decoding is the domain's job, never a Python process.
 */
public interface RunArtifacts {
    /**
     * The artifact {@code name} of the latest attempt of the run's single task of {@code step}.
     *
     * @throws dev.flowgate.deployer.domain.DeployError.GraphMismatch when the run has no such artifact, or it is stored
     *                                                                outside the team's datastore
     * @throws dev.flowgate.deployer.domain.DeployError.Unavailable   when the metadata service or the datastore fails
     */
    StoredArtifact read(TaggedRun run, String step, String name);

    /**
     * @param sha      the content address Metaflow recorded: SHA-1 of the pickled bytes
     * @param location where it was read, for messages
     * @param stored   the object's bytes as stored (gzip)
     */
    record StoredArtifact(String sha, String location, byte[] stored) {
    }
}

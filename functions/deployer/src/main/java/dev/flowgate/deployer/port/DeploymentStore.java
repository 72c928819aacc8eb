package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.DeploymentRecord;

import java.util.List;
import java.util.Optional;

/** Deployment records and their history per flow. */
public interface DeploymentStore {
    /**
     * Appends a record to the flow's history. Never overwrites: a record of the same flow and deployment id already
     * there is refused ({@link dev.flowgate.deployer.domain.DeployError.Unavailable}) and stays as it was.
     */
    void record(DeploymentRecord record);

    /** The record of {@code flow} written by deployment {@code deploymentId}, if there is one. */
    Optional<DeploymentRecord> find(String flow, String deploymentId);

    /** The successful deployment of {@code flow} from this repository, branch and commit, if one happened. */
    Optional<DeploymentRecord> deployed(String repository, String branch, String commitSha, String flow);

    /** The flow's records, newest first. */
    List<DeploymentRecord> history(String flow, int limit);
}

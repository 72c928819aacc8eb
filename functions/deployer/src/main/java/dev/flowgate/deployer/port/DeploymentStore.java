package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.DeploymentRecord;

import java.util.List;
import java.util.Optional;

/** Deployment records and their history per flow. */
public interface DeploymentStore {
    /** Appends a record to the flow's history (idempotent per deployment id and flow). */
    void record(DeploymentRecord record);

    /** The successful deployment of {@code flow} from this repository, branch and commit, if one happened. */
    Optional<DeploymentRecord> deployed(String repository, String branch, String commitSha, String flow);

    /** The flow's records, newest first. */
    List<DeploymentRecord> history(String flow, int limit);
}

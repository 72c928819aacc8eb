package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.CommitStatus;
import dev.flowgate.deployer.domain.TreeEntry;

import java.util.List;
import java.util.Optional;

/** The git hosting service: file contents and trees at a commit, and commit statuses. */
public interface GitHost {
    /** The bytes of {@code path} (repo-root-relative) at the commit; empty when there is no such file. */
    Optional<byte[]> file(String repository, String commitSha, String path);

    /** Every blob, link and submodule entry of the commit's tree, recursively. */
    List<TreeEntry> tree(String repository, String commitSha);

    void postStatus(String repository, String commitSha, CommitStatus status);

    /** The bytes of a blob by its git id. */
    byte[] blob(String repository, String blobSha);

    /**
     * Whether {@code head} is strictly behind {@code base} (an ancestor of it), from GitHub's compare API;
     * empty when the host cannot tell.
     */
    java.util.Optional<Boolean> isBehind(String repository, String base, String head);
}

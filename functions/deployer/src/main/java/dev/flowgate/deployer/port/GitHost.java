package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.CommitRelation;
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
     * How {@code head} relates to {@code base} (GitHub's compare API, {@code GET /repos/{o}/{r}/compare/{base}...{head}}).
     *
     * @throws dev.flowgate.deployer.domain.DeployError.Unavailable when the host cannot tell (unknown commit, HTTP
     *                                                           error, an answer without a known status): callers refuse
     */
    CommitRelation compare(String repository, String base, String head);

    /**
     * The commit {@code branch} points at now ({@code GET /repos/{o}/{r}/git/ref/heads/{branch}}); empty when there is
     * no such branch.
     *
     * @throws dev.flowgate.deployer.domain.DeployError.Unavailable when the host cannot tell
     */
    Optional<String> branchHead(String repository, String branch);
}

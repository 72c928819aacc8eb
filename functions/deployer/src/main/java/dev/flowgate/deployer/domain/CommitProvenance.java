package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.GitHost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the commit to deploy comes from, checked against the git host whatever triggered the deployment (webhook
 * push, pull-request merge, Jenkins invoke, CLI), failing closed:
 * <ul>
 *   <li>{@link #requireOnBranch}: the commit is the head of the branch or an ancestor of it (compare
 *       {@code commit...head} is {@code identical} or {@code ahead}); a commit only on another branch, or newer than
 *       the branch, is {@link DeployError.CommitNotOnRef}; a branch that does not exist likewise;</li>
 *   <li>{@link #isOlderThan}: the commit is an ancestor of the one deployed last (compare {@code live...commit} is
 *       {@code behind}), so deploying it would go back in time.</li>
 * </ul>
 * When the host cannot answer, both throw {@link DeployError.ProvenanceUnknown}: the deployment stops.
 */
public final class CommitProvenance {
    private static final int REMEMBERED = 1000;
    private final GitHost git;
    /** How two commits relate never changes: answers are remembered per container (failures are not). */
    private final Map<String, CommitRelation> relations = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CommitRelation> eldest) {
            return size() > REMEMBERED;
        }
    });

    public CommitProvenance(GitHost git) {
        this.git = git;
    }

    private CommitRelation compare(String repository, String base, String head) {
        String key = repository.toLowerCase(java.util.Locale.ROOT) + "#" + base + "..." + head;
        CommitRelation known = relations.get(key);
        if (known != null) {
            return known;
        }
        CommitRelation relation = git.compare(repository, base, head);
        relations.put(key, relation);
        return relation;
    }

    public void requireOnBranch(String repository, String branch, String commitSha) {
        String ref = DeployRequest.BRANCH_PREFIX + branch;
        Optional<String> head;
        CommitRelation relation;
        try {
            head = git.branchHead(repository, branch);
            if (head.isEmpty()) {
                throw new DeployError.CommitNotOnRef(repository + " has no branch " + branch + " (" + ref + "); "
                        + shortSha(commitSha) + " is not on it; not deploying");
            }
            relation = head.get().equals(commitSha) ? CommitRelation.IDENTICAL : compare(repository, commitSha, head.get());
        } catch (DeployError.Unavailable e) {
            throw new DeployError.ProvenanceUnknown("could not check that " + shortSha(commitSha) + " is on " + ref + " of "
                    + repository + " (" + e.getMessage() + "); not deploying", e);
        }
        if (!relation.baseIsOnHead()) {
            throw new DeployError.CommitNotOnRef(shortSha(commitSha) + " is not on " + ref + " of " + repository
                    + " (head " + shortSha(head.get()) + ", " + describe(relation) + "); deploy a commit of " + branch);
        }
    }

    /** Whether {@code commitSha} is an ancestor of {@code liveSha} (older than what is deployed). */
    public boolean isOlderThan(String repository, String commitSha, String liveSha) {
        try {
            return compare(repository, liveSha, commitSha) == CommitRelation.BEHIND;
        } catch (DeployError.Unavailable e) {
            throw new DeployError.ProvenanceUnknown("could not check whether " + shortSha(commitSha) + " is older than "
                    + shortSha(liveSha) + ", deployed last (" + e.getMessage() + "); not deploying", e);
        }
    }

    private static String describe(CommitRelation relation) {
        return switch (relation) {
            case BEHIND -> "the commit is newer than the branch";
            case DIVERGED -> "the commit is on another line of history";
            default -> relation.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }
}

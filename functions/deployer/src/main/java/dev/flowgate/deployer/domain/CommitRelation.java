package dev.flowgate.deployer.domain;

import java.util.Optional;

/**
 * How a head commit relates to a base commit, in the words of GitHub's compare API ({@code status}):
 * {@code identical}; {@code ahead} (base is an ancestor of head); {@code behind} (head is an ancestor of base);
 * {@code diverged} (neither).
 */
public enum CommitRelation {
    IDENTICAL, AHEAD, BEHIND, DIVERGED;

    /** The relation GitHub's {@code status} names; empty for anything else. */
    public static Optional<CommitRelation> fromGitHub(String status) {
        for (CommitRelation relation : values()) {
            if (relation.name().equalsIgnoreCase(status)) {
                return Optional.of(relation);
            }
        }
        return Optional.empty();
    }

    /** Whether base is head or one of its ancestors. */
    public boolean baseIsOnHead() {
        return this == IDENTICAL || this == AHEAD;
    }
}

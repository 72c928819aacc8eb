package dev.flowgate.deployer.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to deploy the flows of a repository at a commit: from Jenkins (synchronous invoke) or from the
 * GitHub webhook (asynchronous invoke). Already validated: {@code commitSha} is 40 lowercase hex digits and
 * {@code ref} a full branch ref.
 *
 * @param flows        the flows to deploy; empty means every flow of the project manifest
 * @param deploymentId the id the webhook already answered GitHub with, or empty (Jenkins: one is assigned)
 */
public record DeployRequest(String requestId, Source source, String repository, String commitSha, String ref,
                            List<String> flows, boolean dryRun, Optional<String> deploymentId) {
    public static final String BRANCH_PREFIX = "refs/heads/";

    public DeployRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(commitSha, "commitSha");
        Objects.requireNonNull(ref, "ref");
        flows = List.copyOf(flows == null ? List.of() : flows);
        deploymentId = deploymentId == null ? Optional.empty() : deploymentId;
    }

    /** The branch name of {@code ref} ({@code refs/heads/feature/x} is {@code feature/x}). */
    public String branch() {
        return ref.startsWith(BRANCH_PREFIX) ? ref.substring(BRANCH_PREFIX.length()) : ref;
    }

    /** Who asked. The wire names are the JSON values of the {@code source} field. */
    public enum Source {
        JENKINS("jenkins"), GITHUB_PUSH("github-push"), GITHUB_PR_MERGE("github-pr-merge"), CLI("cli");

        private final String wireName;

        Source(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Source fromWire(String name) {
            for (Source source : values()) {
                if (source.wireName.equals(name)) {
                    return source;
                }
            }
            throw new IllegalArgumentException("unknown source " + name);
        }
    }
}

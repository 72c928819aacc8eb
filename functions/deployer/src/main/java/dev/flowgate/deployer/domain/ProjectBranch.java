package dev.flowgate.deployer.domain;

import dev.flowgate.model.naming.StateMachineNames;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code @project} branch a deployment deploys to, typed: production, or the experimental branch of a git branch,
 * named as Metaflow's {@code --branch} value (injective: two git branches never share a name). Its label
 * ({@code prod}, {@code test.<name>}) and the state machine names come from {@link StateMachineNames}, the one place
 * they are derived; the compiler takes this value, never a label to take apart.
 *
 * @param experimentalName Metaflow's {@code --branch} value of an experimental deployment, empty for production
 */
public record ProjectBranch(Optional<String> experimentalName) {
    public ProjectBranch {
        Objects.requireNonNull(experimentalName, "experimentalName");
    }

    public static ProjectBranch production() {
        return new ProjectBranch(Optional.empty());
    }

    /** {@code feature_x} stays {@code feature_x}; {@code feature/New-Model} becomes {@code feature_new_model__<hash>}. */
    public static ProjectBranch experimental(String gitBranch) {
        return new ProjectBranch(Optional.of(StateMachineNames.branchName(gitBranch)));
    }

    public boolean isProduction() {
        return experimentalName.isEmpty();
    }

    /** {@code prod} or {@code test.<name>}: what state machine names and leases carry. */
    public String label() {
        return experimentalName.map(name -> StateMachineNames.EXPERIMENTAL_PREFIX + name)
                .orElse(StateMachineNames.PRODUCTION_LABEL);
    }

    @Override
    public String toString() {
        return label();
    }
}

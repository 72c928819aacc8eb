package dev.flowgate.deployer.domain;

import dev.flowgate.model.naming.StateMachineNames;

/**
 * The deployment's @project branch label, from {@link StateMachineNames} (the one place names are derived):
 * {@code prod} for production, {@code test.<branch name>} for a git branch (an injective mapping: two git branches
 * never share a label). State machine names themselves come from the compiler ({@code FlowCompiler#naming}).
 */
public final class ProjectBranch {
    private ProjectBranch() {
    }

    public static String production() {
        return StateMachineNames.PRODUCTION_LABEL;
    }

    /** {@code feature_x} stays {@code test.feature_x}; {@code feature/New-Model} becomes {@code test.feature_new_model__<hash>}. */
    public static String experimental(String gitBranch) {
        return StateMachineNames.experimentalLabel(gitBranch);
    }
}

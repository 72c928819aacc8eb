package dev.flowgate.model.naming;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place state machine names and {@code @project} branch labels are derived (the flow compiler names every
 * state machine with it; the deployer derives branch labels with it). Metaflow's rules: a flow with
 * {@code @project(name=P)} deploys as {@code P.<label>.<Flow>} with label {@code prod} (production),
 * {@code prod.<b>} ({@code --production --branch b}), {@code test.<b>} ({@code --branch b}) or {@code user.<owner>};
 * a flow without {@code @project} deploys as {@code <Flow>}: it has one state machine, the production one, so it has
 * no experimental deployments at all ({@link #experimentalLabel} callers must refuse them).
 *
 * <p>Git branch names become {@code @project} branch names injectively: a branch that already is a clean name
 * ({@code [a-z0-9]+} words joined by single underscores) is kept; any other branch is cleaned and gets
 * {@code __} + 16 base32 characters of the SHA-1 of the git branch name, a form no clean name has (it holds a
 * double underscore). So {@code feature/x} and {@code feature_x} never share a state machine.
 */
public final class StateMachineNames {
    public static final String PRODUCTION_LABEL = "prod";
    public static final String EXPERIMENTAL_PREFIX = "test.";
    /** Step Functions' (and Metaflow's) limit on a state machine name. */
    public static final int MAX_NAME = 80;
    private static final Pattern CLEAN = Pattern.compile("[a-z0-9]+(_[a-z0-9]+)*");
    private static final int MAX_CLEAN = 60;

    private StateMachineNames() {
    }

    /** The {@code @project} branch name (Metaflow's {@code --branch} value) of a git branch; injective, {@code [a-z0-9_]+}. */
    public static String branchName(String gitBranch) {
        if (gitBranch == null || gitBranch.isEmpty()) {
            throw new IllegalArgumentException("a git branch name is required");
        }
        if (CLEAN.matcher(gitBranch).matches() && gitBranch.length() <= MAX_CLEAN) {
            return gitBranch;
        }
        String cleaned = gitBranch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (cleaned.length() > MAX_CLEAN) {
            cleaned = cleaned.substring(0, MAX_CLEAN).replaceAll("_+$", "");
        }
        return cleaned + "__" + NameHash.base32Sha1(gitBranch).substring(0, 16);
    }

    /** The label of an experimental deployment of {@code gitBranch}: {@code test.<branchName>}. */
    public static String experimentalLabel(String gitBranch) {
        return EXPERIMENTAL_PREFIX + branchName(gitBranch);
    }

    /**
     * Metaflow's label for a deployment of a {@code @project} flow: {@code --branch} given → {@code prod.<b>} or
     * {@code test.<b>}; otherwise {@code prod} for production, else {@code user.<owner>}.
     */
    public static String label(Optional<String> branch, boolean production, String owner) {
        if (branch.isPresent()) {
            return (production ? "prod." : EXPERIMENTAL_PREFIX) + branch.get();
        }
        return production ? PRODUCTION_LABEL : "user." + owner;
    }

    /** Whether a label names a production deployment ({@code prod} or {@code prod.<b>}). */
    public static boolean isProduction(String label) {
        return label.equals(PRODUCTION_LABEL) || label.startsWith(PRODUCTION_LABEL + ".");
    }

    /**
     * The state machine name of a {@code @project} flow: {@code [prefix_]project.label.Flow}; above 80 characters,
     * Metaflow's cut: the first 60 characters, {@code -}, 16 base32 characters of the SHA-1 of the whole name.
     */
    public static String projectFlow(Optional<String> prefix, String project, String label, String flow) {
        String name = prefix.map(p -> p + "_").orElse("") + project + "." + label + "." + flow;
        return name.length() > MAX_NAME ? name.substring(0, 60) + "-" + NameHash.base32Sha1(name).substring(0, 16) : name;
    }

    /** The state machine name of a flow without {@code @project}: {@code [prefix_]Flow} (the production one). */
    public static String plainFlow(Optional<String> prefix, String flow) {
        return prefix.map(p -> p + "_").orElse("") + flow;
    }
}

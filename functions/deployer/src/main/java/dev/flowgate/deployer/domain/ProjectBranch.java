package dev.flowgate.deployer.domain;

import java.util.Locale;

/** Metaflow's @project branch naming: {@code prod} for production, {@code test.<branch>} for a git branch. */
public final class ProjectBranch {
    private static final int MAX = 128;

    private ProjectBranch() {
    }

    public static String production() {
        return "prod";
    }

    /** {@code feature/New-Model} becomes {@code test.feature_new_model} (Metaflow allows only [a-z0-9_]). */
    public static String experimental(String gitBranch) {
        String cleaned = gitBranch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return "test." + (cleaned.length() > MAX ? cleaned.substring(0, MAX) : cleaned);
    }

    /** The @project name of a flow: {@code <project>.<branch>.<Flow>}. */
    public static String flowName(String project, String branch, String flow) {
        return project + "." + branch + "." + flow;
    }
}

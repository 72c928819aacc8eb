package dev.flowgate.deployer.domain;

import java.util.Locale;

/** How a deployment of one flow (or of a whole request) ended. Business refusals are outcomes, not crashes. */
public enum Outcome {
    DEPLOYED, ALREADY_DEPLOYED, PLANNED, SKIPPED, NOT_CONFIGURED, BUSY, INVALID_MANIFEST, NO_TAGGED_RUN, NO_CODE_PACKAGE, MISMATCH,
    COMPILE_FAILED, GRAPH_MISMATCH, ERROR,
    /** The commit is not the head of the ref nor an ancestor of it (or the ref does not exist). */
    COMMIT_NOT_ON_REF,
    /** An experimental deployment of a flow without {@code @project} (it would replace the production state machine). */
    PROJECT_REQUIRED;

    public boolean isFailure() {
        return this != DEPLOYED && this != ALREADY_DEPLOYED && this != PLANNED && this != SKIPPED;
    }

    /** The JSON value: lower case, e.g. {@code no_tagged_run}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

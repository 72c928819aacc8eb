package dev.flowgate.model.limits;

/**
 * The AWS Step Functions limits a deployment option must respect, checked where the option is read (the
 * {@code flowgate compile} command line and {@code flowgate.yaml}) so a bad value is refused before anything
 * is compiled or deployed.
 */
public final class StepFunctionsLimits {
    /** A Standard workflow runs for at most one year (365 days). */
    public static final int MAX_WORKFLOW_TIMEOUT_SECONDS = 365 * 24 * 60 * 60;
    /** A Distributed Map runs at most 10,000 child executions at once; an inline Map at most 40. */
    public static final int MAX_DISTRIBUTED_MAP_CONCURRENCY = 10_000;

    private StepFunctionsLimits() {
    }

    /**
     * Reads a workflow timeout (whole seconds, 1 to one year).
     *
     * @throws IllegalArgumentException naming the value and the allowed range
     */
    public static int workflowTimeoutSeconds(String text) {
        long seconds = wholeNumber(text, "the workflow timeout");
        if (seconds < 1 || seconds > MAX_WORKFLOW_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("the workflow timeout must be between 1 and " + MAX_WORKFLOW_TIMEOUT_SECONDS
                    + " seconds (one year, the longest a Step Functions execution runs), got " + text.trim());
        }
        return (int) seconds;
    }

    /**
     * Reads the number of foreach splits run at once (1 to 10,000, the Distributed Map's limit).
     *
     * @throws IllegalArgumentException naming the value and the allowed range
     */
    public static int maxWorkers(String text) {
        long workers = wholeNumber(text, "max workers");
        if (workers < 1 || workers > MAX_DISTRIBUTED_MAP_CONCURRENCY) {
            throw new IllegalArgumentException("max workers must be between 1 and " + MAX_DISTRIBUTED_MAP_CONCURRENCY
                    + " (a Distributed Map runs at most 10,000 splits at once; an inline Map at most 40), got " + text.trim());
        }
        return (int) workers;
    }

    private static long wholeNumber(String text, String what) {
        String trimmed = text == null ? "" : text.trim();
        if (!trimmed.matches("\\+?[0-9]{1,12}|-[0-9]{1,12}")) {
            throw new IllegalArgumentException(what + " must be a whole number"
                    + (what.startsWith("the workflow") ? " of seconds, e.g. 86400 for one day" : ", e.g. 500")
                    + ", got '" + trimmed + "'");
        }
        return Long.parseLong(trimmed);
    }
}

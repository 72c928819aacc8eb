package dev.flowgate.deployer.domain;

import java.util.Optional;

/**
 * The commit status description of a deployment: what was deployed, then who tagged the run {@code prod_ready}
 * and when, within GitHub's 140 characters (the deployment part is shortened first, a long identity in its middle).
 */
public final class GateStatus {
    public static final int MAX = 140;

    private GateStatus() {
    }

    public static String describe(String message, Optional<GateTagging> gate) {
        if (gate.isEmpty()) {
            return fit(message, MAX);
        }
        GateTagging g = gate.get();
        String when = " at " + g.taggedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String prefix = "; prod_ready by ";
        // at least 40 characters stay for what was deployed
        String tail = prefix + middle(g.who(), MAX - 40 - prefix.length() - when.length()) + when;
        return fit(message, MAX - tail.length()) + tail;
    }

    /** Long identities (IAM ARNs) keep their start and end, which tell them apart. */
    private static String middle(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int head = (max - 1) / 2;
        return text.substring(0, head) + "…" + text.substring(text.length() - (max - 1 - head));
    }

    private static String fit(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}

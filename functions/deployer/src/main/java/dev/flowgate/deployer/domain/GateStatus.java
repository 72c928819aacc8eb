package dev.flowgate.deployer.domain;

import java.util.Optional;

/**
 * The commit status description of a deployment: what was deployed, then who tagged the run {@code prod_ready}
 * and when, within GitHub's 140 characters (the tagger part is kept whole and the deployment part shortened).
 */
public final class GateStatus {
    public static final int MAX = 140;

    private GateStatus() {
    }

    public static String describe(String message, Optional<GateTagging> gate) {
        if (gate.isEmpty()) {
            return fit(message, MAX);
        }
        String tail = "; " + gate.get().summary();
        if (tail.length() > MAX / 2) {
            tail = fit(tail, MAX / 2);
        }
        return fit(message, MAX - tail.length()) + tail;
    }

    private static String fit(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.DeliveryLedger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One deployment id, one invocation. Every deployment claims its id in the ledger ({@code deployment#<id>},
 * conditional write) before it does anything, so an id can never be shared: a caller that sends the id of a running
 * or recorded deployment is refused ({@code deployment_id}, 400) and nothing of that deployment changes. A
 * caller-supplied id (the webhook hands its own on) must have the format {@link DeploymentIds} makes and a time no
 * older than {@link #MAX_AGE} (the asynchronous hand-off's maximum event age, with room) nor in the future: ids sort
 * history by time, so a forged future id would pass itself off as the newest deployment.
 */
public final class DeploymentIdClaims {
    public static final String FIELD = "deployment_id";
    public static final Pattern FORMAT = Pattern.compile("d-[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}");
    static final Duration MAX_AGE = Duration.ofHours(2);
    static final Duration MAX_AHEAD = Duration.ofMinutes(5);
    /** Longer than any id is accepted for: an expired claim's id is refused by its age anyway. */
    static final Duration CLAIM = Duration.ofDays(2);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");

    private final DeliveryLedger ledger;
    private final DeploymentIds ids;
    private final Clock clock;

    public DeploymentIdClaims(DeliveryLedger ledger, DeploymentIds ids, Clock clock) {
        this.ledger = ledger;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * The id this invocation deploys under, claimed: the supplied one when it is valid and unused, else a new one.
     *
     * @throws DeployRequestJson.InvalidRequest naming {@code deployment_id} when the supplied id is malformed, out of
     *                                          its time window, or already claimed
     */
    public String claim(Optional<String> supplied) {
        Instant now = clock.instant();
        if (supplied.isEmpty()) {
            for (int attempt = 0; attempt < 3; attempt++) {
                String id = ids.next(now);
                if (ledger.claim(key(id), id, now.plus(CLAIM)).isEmpty()) {
                    return id;
                }
            }
            throw new DeployError.Unavailable("could not claim a fresh deployment id; retry", null);
        }
        String id = supplied.get();
        Instant at = timeOf(id).orElseThrow(() -> invalid("deployment_id must look like d-20261129T001500123Z-3f9a1c"
                + " (what Flowgate hands out); omit it to get a fresh one"));
        if (at.isBefore(now.minus(MAX_AGE)) || at.isAfter(now.plus(MAX_AHEAD))) {
            throw invalid("deployment_id " + id + " is dated " + at + ", outside the last " + MAX_AGE.toHours()
                    + " hours; omit it to get a fresh one");
        }
        Optional<String> holder = ledger.claim(key(id), id, now.plus(CLAIM));
        if (holder.isPresent()) {
            throw invalid("deployment_id " + id + " belongs to a deployment that is running or done; a deployment id is"
                    + " used once: omit it to get a fresh one");
        }
        return id;
    }

    static Optional<Instant> timeOf(String id) {
        if (id == null || !FORMAT.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(id.substring(2, 21), TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String key(String id) {
        return "deployment#" + id;
    }

    private static DeployRequestJson.InvalidRequest invalid(String message) {
        return new DeployRequestJson.InvalidRequest(List.of(new DeployRequestJson.FieldError(FIELD, message)));
    }
}

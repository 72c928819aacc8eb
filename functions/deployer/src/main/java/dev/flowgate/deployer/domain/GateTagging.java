package dev.flowgate.deployer.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Who first added the gate tag ({@code prod_ready}) to the run a deployment came from, and when, as the metadata
 * API recorded it from the caller identity its front door established (API key fingerprint, IAM principal,
 * authorizer principal; locally the API key's name).
 *
 * @param taggedBy   the caller identity, or empty when the metadata API established none
 * @param callerKind {@code api-key}, {@code iam}, {@code authorizer} or {@code none}
 * @param userName   the Metaflow user name claimed when the run was created with the tag (a claim), or empty
 * @param via        {@code run_creation} or {@code tag_mutation}
 */
public record GateTagging(String taggedBy, String callerKind, String userName, Instant taggedAt, String via) {
    public GateTagging {
        Objects.requireNonNull(taggedAt, "taggedAt");
        taggedBy = taggedBy == null ? "" : taggedBy;
        callerKind = callerKind == null ? "" : callerKind;
        userName = userName == null ? "" : userName;
        via = via == null ? "" : via;
    }

    /** Who, as a person reads it: the caller identity, else the claimed user name (marked as claimed). */
    public String who() {
        if (!taggedBy.isEmpty()) {
            return taggedBy;
        }
        return userName.isEmpty() ? "an unidentified caller" : "user " + userName + " (claimed, caller unidentified)";
    }

    /** {@code prod_ready by <who> at <instant, seconds>}. */
    public String summary() {
        return "prod_ready by " + who() + " at " + taggedAt.truncatedTo(ChronoUnit.SECONDS);
    }
}

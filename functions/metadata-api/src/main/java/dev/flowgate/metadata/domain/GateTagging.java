package dev.flowgate.metadata.domain;

/**
 * Who first put the production gate tag ({@code prod_ready}) on a run, and when: written in the same
 * conditional write that adds the tag, never overwritten by a later re-add.
 *
 * @param taggedBy   the caller identity ({@link Caller#name()}), or null when the front door established none
 * @param callerKind {@link Caller#kind()}
 * @param userName   the Metaflow user name the request claimed (the run's {@code user_name} at creation; a
 *                   claim, not an identity), or null
 * @param taggedAt   epoch milliseconds
 * @param via        {@code run_creation} or {@code tag_mutation}
 */
public record GateTagging(String taggedBy, String callerKind, String userName, long taggedAt, String via) {
    public static final String VIA_RUN_CREATION = "run_creation";
    public static final String VIA_TAG_MUTATION = "tag_mutation";

    public static GateTagging of(Caller caller, String userName, long taggedAt, String via) {
        return new GateTagging(caller.known() ? caller.name() : null, caller.kind(), userName, taggedAt, via);
    }
}

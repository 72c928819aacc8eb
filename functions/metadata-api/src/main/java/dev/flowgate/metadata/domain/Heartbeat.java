package dev.flowgate.metadata.domain;

/** Outcome of a heartbeat write. */
public enum Heartbeat {
    /** {@code last_heartbeat_ts} was moved to now. */
    UPDATED,
    /** The object exists and its heartbeat is fresher than the wait time; nothing written. */
    FRESH,
    /** No such object. */
    MISSING
}

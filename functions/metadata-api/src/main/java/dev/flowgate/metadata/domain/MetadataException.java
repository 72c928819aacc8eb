package dev.flowgate.metadata.domain;

/** A request the service refuses; {@link #status()} is the HTTP status Metaflow's reference service uses. */
public class MetadataException extends RuntimeException {
    private final int status;
    private final String field;

    public MetadataException(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    /** The input field at fault, or null. */
    public String field() {
        return field;
    }

    /** 400: malformed or invalid input. */
    public static MetadataException invalid(String field, String message) {
        return new MetadataException(400, field, message);
    }

    /** 404: the object (or its parent) does not exist. */
    public static MetadataException notFound(String message) {
        return new MetadataException(404, null, message);
    }

    /** 403: the caller is not allowed to do this (e.g. add the gate tag without being a gate tagger). */
    public static MetadataException forbidden(String field, String message) {
        return new MetadataException(403, field, message);
    }

    /** 409: the object exists already, or a concurrent write won. */
    public static MetadataException conflict(String message) {
        return new MetadataException(409, null, message);
    }

    /** 413: a row larger than the store can hold (named as {@code [index].field}); nothing was written. */
    public static MetadataException tooLarge(String field, String message) {
        return new MetadataException(413, field, message);
    }

    /** 422: a tag write that is not allowed (removing a system tag, a system tag a client may not set). */
    public static MetadataException unprocessable(String field, String message) {
        return new MetadataException(422, field, message);
    }

    /** 503: the store is throttled or unavailable; the client retries. */
    public static MetadataException unavailable(String message) {
        return new MetadataException(503, null, message);
    }
}

package dev.flowgate.alerter.domain;

/** The event JSON is not one the alerter understands; {@link #field()} names what is wrong. */
public final class InvalidEventException extends IllegalArgumentException {
    private final String field;

    public InvalidEventException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

package dev.flowgate.model.naming;

/** A Metaflow name, id, pathspec or tag that breaks Metaflow's rules; {@link #field()} names what was wrong. */
public final class InvalidNameException extends IllegalArgumentException {
    private final String field;

    public InvalidNameException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The input field that holds the bad value, e.g. {@code step_name} or {@code tags_to_add}. */
    public String field() {
        return field;
    }
}

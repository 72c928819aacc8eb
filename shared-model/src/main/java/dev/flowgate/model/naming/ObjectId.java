package dev.flowgate.model.naming;

import java.util.Objects;

/**
 * A run or task id. Metaflow has two kinds: a number allocated by the metadata service
 * ({@code 1234}), or a string registered by an orchestrator ({@code sfn-2f6c…}, {@code argo-…},
 * an AWS Batch job id). A path segment made only of digits always means the number.
 */
public record ObjectId(Long number, String name) {

    public ObjectId {
        if ((number == null) == (name == null)) {
            throw new IllegalArgumentException("an ObjectId is either a number or a name");
        }
        if (number != null && number < 0) {
            throw new IllegalArgumentException("a numeric id is never negative");
        }
        if (name != null && isAllDigits(name)) {
            throw new IllegalArgumentException("a string id must not be all digits: " + name);
        }
    }

    public static ObjectId ofNumber(long number) {
        return new ObjectId(number, null);
    }

    public static ObjectId ofName(String name) {
        return new ObjectId(null, name);
    }

    /** Parses a path segment: all digits means a number, anything else a registered string id. */
    public static ObjectId parse(String field, String segment) {
        MetaflowNames.requireObjectId(field, segment);
        if (isAllDigits(segment)) {
            try {
                return ofNumber(Long.parseLong(segment));
            } catch (NumberFormatException e) {
                throw new InvalidNameException(field, field + " '" + MetaflowNames.shorten(segment)
                        + "' is too large a number");
            }
        }
        return ofName(segment);
    }

    public boolean isNumber() {
        return number != null;
    }

    /** The JSON value Metaflow exposes: a number for numeric ids, a string otherwise. */
    public Object jsonValue() {
        return isNumber() ? (Object) number : name;
    }

    @Override
    public String toString() {
        return isNumber() ? Long.toString(number) : name;
    }

    public static boolean isAllDigits(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectId other && Objects.equals(number, other.number) && Objects.equals(name, other.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, name);
    }
}

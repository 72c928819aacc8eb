package dev.flowgate.aws;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration a function is built from: in Lambda the process environment; in the local runtime and
 * in tests the same variables with overrides (the emulator's endpoint, a test's table prefix). Handlers take
 * one of these instead of reading {@code System.getenv} themselves, so one code path serves all three.
 */
public final class Environment {
    private final Map<String, String> variables;
    /** The names this view may read (null: any), and whose contract says so; see {@link #readableOnly}. */
    private final Set<String> readable;
    private final String reader;

    private Environment(Map<String, String> variables) {
        this(variables, null, null);
    }

    private Environment(Map<String, String> variables, Set<String> readable, String reader) {
        this.variables = Map.copyOf(variables);
        this.readable = readable == null ? null : Set.copyOf(readable);
        this.reader = reader;
    }

    public static Environment system() {
        return new Environment(System.getenv());
    }

    public static Environment of(Map<String, String> variables) {
        return new Environment(variables);
    }

    /** A copy with {@code name} set to {@code value} (or removed when value is null). */
    public Environment with(String name, String value) {
        Map<String, String> copy = new HashMap<>(variables);
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new Environment(copy, readable, reader);
    }

    public Environment withAll(Map<String, String> overrides) {
        Map<String, String> copy = new HashMap<>(variables);
        copy.putAll(overrides);
        return new Environment(copy, readable, reader);
    }

    /**
     * A view that may read only {@code names}: reading any other variable throws {@link UndeclaredSettingException}
     * naming {@code reader}. A function's wiring reads through such a view of its {@link FunctionContract}, so a
     * variable the code starts to need cannot be missing from the contract the CDK templates are checked against.
     */
    public Environment readableOnly(Set<String> names, String reader) {
        return new Environment(variables, names, reader);
    }

    /** The value, when set and not blank. */
    public Optional<String> get(String name) {
        if (readable != null && !readable.contains(name)) {
            throw new UndeclaredSettingException(reader, name);
        }
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
    }

    public String get(String name, String defaultValue) {
        return get(name).orElse(defaultValue);
    }

    /** The value, or a {@link MissingSettingException} that says which variable to set. */
    public String require(String name) {
        return get(name).orElseThrow(() -> new MissingSettingException(name));
    }

    public int getInt(String name, int defaultValue) {
        Optional<String> value = get(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value.get() + "'");
        }
    }

    public Map<String, String> asMap() {
        return variables;
    }

    /** Code read a variable its function's contract does not declare (a programming error, found by tests). */
    public static final class UndeclaredSettingException extends IllegalStateException {
        public UndeclaredSettingException(String reader, String name) {
            super(reader + " reads environment variable " + name + ", which its FunctionContract does not declare;"
                    + " declare it (and set it in infra-cdk, or give it a documented default)");
        }
    }

    /** A required setting is absent. */
    public static final class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String name) {
            super("environment variable " + name + " is required but not set");
        }
    }
}

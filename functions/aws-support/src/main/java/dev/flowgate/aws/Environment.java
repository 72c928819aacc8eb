package dev.flowgate.aws;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration a function is built from: in Lambda the process environment; in the local runtime and
 * in tests the same variables with overrides (the emulator's endpoint, a test's table prefix). Handlers take
 * one of these instead of reading {@code System.getenv} themselves, so one code path serves all three.
 */
public final class Environment {
    private final Map<String, String> variables;

    private Environment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
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
        return new Environment(copy);
    }

    public Environment withAll(Map<String, String> overrides) {
        Map<String, String> copy = new HashMap<>(variables);
        copy.putAll(overrides);
        return new Environment(copy);
    }

    /** The value, when set and not blank. */
    public Optional<String> get(String name) {
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

    /** A required setting is absent. */
    public static final class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String name) {
            super("environment variable " + name + " is required but not set");
        }
    }
}

package dev.flowgate.local;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys the local runtime demands on protected mounts, each with a name, as an API Gateway usage plan
 * with one key per person or system (plus a Lambda authorizer naming them) would: {@code FLOWGATE_API_KEYS=
 * name:key,name2:key2} and/or {@code FLOWGATE_API_KEY=key} (named {@code default}). No key configured = no
 * check and no caller identity. The name reaches the function as {@code requestContext.authorizer.principalId}.
 */
public final class LocalApiKeys {
    public static final String DEFAULT_NAME = "default";
    private final Map<String, String> nameByKey;

    private LocalApiKeys(Map<String, String> nameByKey) {
        this.nameByKey = Map.copyOf(nameByKey);
    }

    public static LocalApiKeys none() {
        return new LocalApiKeys(Map.of());
    }

    /** From FLOWGATE_API_KEYS ({@code name:key,...}) and FLOWGATE_API_KEY; a malformed entry fails, naming it. */
    public static LocalApiKeys parse(String namedKeys, String singleKey) {
        Map<String, String> byKey = new LinkedHashMap<>();
        if (namedKeys != null && !namedKeys.isBlank()) {
            for (String entry : namedKeys.split(",")) {
                String trimmed = entry.trim();
                int colon = trimmed.indexOf(':');
                if (colon <= 0 || colon == trimmed.length() - 1) {
                    throw new IllegalArgumentException("FLOWGATE_API_KEYS: entry #" + (byKey.size() + 1)
                            + " must be name:key (the entry is not shown: it may hold a key)");
                }
                String name = trimmed.substring(0, colon);
                if (!name.matches("[A-Za-z0-9_.@+=-]{1,64}")) {
                    throw new IllegalArgumentException("FLOWGATE_API_KEYS: key name '" + name
                            + "' must be 1-64 letters, digits or _.@+=-");
                }
                if (byKey.put(trimmed.substring(colon + 1), name) != null) {
                    throw new IllegalArgumentException("FLOWGATE_API_KEYS: key of '" + name + "' is listed twice");
                }
            }
        }
        if (singleKey != null && !singleKey.isEmpty()) {
            byKey.putIfAbsent(singleKey, DEFAULT_NAME);
        }
        return new LocalApiKeys(byKey);
    }

    public boolean required() {
        return !nameByKey.isEmpty();
    }

    /** The name of the presented key, compared in constant time with every configured key; empty if none matches. */
    public Optional<String> nameOf(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> entry : nameByKey.entrySet()) {
            if (MessageDigest.isEqual(entry.getKey().getBytes(StandardCharsets.UTF_8), given)) {
                found = entry.getValue();
            }
        }
        return Optional.ofNullable(found);
    }
}

package dev.flowgate.deployer.adapter;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the deployer sends on every metadata service request: the fixed headers (METAFLOW_SERVICE_HEADERS) and the
 * {@code x-api-key}, read when a request is made from its supplier (in AWS a Secrets Manager secret cached by
 * Powertools, so a rotated key is picked up without a redeployment).
 */
public final class MetadataServiceHeaders implements Supplier<Map<String, String>> {
    public static final String API_KEY_HEADER = "x-api-key";
    private final Map<String, String> fixed;
    private final Optional<Supplier<String>> apiKey;

    public MetadataServiceHeaders(Map<String, String> fixed, Optional<Supplier<String>> apiKey) {
        this.fixed = Map.copyOf(fixed);
        this.apiKey = apiKey;
    }

    @Override
    public Map<String, String> get() {
        if (apiKey.isEmpty()) {
            return fixed;
        }
        Map<String, String> headers = new HashMap<>(fixed);
        headers.put(API_KEY_HEADER, apiKey.get().get());
        return headers;
    }
}

package dev.flowgate.infra;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who the metadata API trusts with the production tags (team settings {@code metadataApi.productionCallers} and
 * {@code metadataApi.gateTaggers}): caller identities as the metadata API names them, i.e. API key fingerprints
 * {@code key-sha256:<first 16 hex of SHA-256 of the key>}, IAM principal ARNs or Lambda authorizer principals.
 *
 * @param productionCallers may create runs, steps and tasks with {@code production:} system tags (the production
 *                          jobs' key); empty = nobody, so production runs cannot record themselves until it is set
 * @param gateTaggers       may add the gate tag {@code prod_ready}; empty = anyone with a key
 */
public record MetadataCallers(List<String> productionCallers, Optional<List<String>> gateTaggers) {
    public MetadataCallers {
        productionCallers = List.copyOf(productionCallers);
        gateTaggers = gateTaggers.map(List::copyOf);
    }

    /** The metadata function's environment for these settings ({@code FLOWGATE_PRODUCTION_CALLERS}, {@code FLOWGATE_GATE_TAGGERS}). */
    public Map<String, String> environment() {
        return gateTaggers.map(t -> Map.of("FLOWGATE_PRODUCTION_CALLERS", String.join(",", productionCallers),
                        "FLOWGATE_GATE_TAGGERS", String.join(",", t)))
                .orElse(Map.of("FLOWGATE_PRODUCTION_CALLERS", String.join(",", productionCallers)));
    }
}

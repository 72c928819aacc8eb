package dev.flowgate.deployer.domain;

import dev.flowgate.model.naming.NameHash;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;

/**
 * Metaflow production tokens for @project flows: prefix {@code mfprj-} + the first 16 base32 characters of
 * SHA-1({@code <project>.<branch>}), lower-cased; a token is {@code <prefix>-<n>-<4 lowercase letters>}. A
 * redeployment keeps the token of the live state machine (its entry step's {@code metaflow.production_token}
 * parameter), so production runs stay in one namespace. New tokens derive their letters from SHA-1 of the
 * prefix and a seed (the deployment id), so a retried deployment gets the same token; Metaflow itself uses
 * Python's seeded {@code random.sample}, which this does not reproduce.
 */
public final class ProductionToken {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    private ProductionToken() {
    }

    public static String prefix(String project, String branch) {
        return "mfprj-" + base32(sha1(project + "." + branch)).substring(0, 16).toLowerCase(Locale.ROOT);
    }

    public static String fresh(String prefix, String seed) {
        byte[] digest = sha1(prefix + "-0-" + seed);
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            letters.append(ALPHABET.charAt((digest[i] & 0xff) % ALPHABET.length()));
        }
        return prefix + "-0-" + letters;
    }

    /** The token a deployed definition carries in any top-level state's {@code Parameters.Parameters}. */
    public static Optional<String> in(String definition) {
        JsonNode states;
        try {
            states = FlowgateJson.parse(definition).path("States");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (Iterator<JsonNode> it = states.elements(); it.hasNext(); ) {
            JsonNode token = it.next().path("Parameters").path("Parameters").path("metaflow.production_token");
            if (token.isTextual() && !token.asText().isBlank()) {
                return Optional.of(token.asText());
            }
        }
        return Optional.empty();
    }

    /** RFC 4648 base32 without padding (the first characters are all a prefix needs). */
    static String base32(byte[] bytes) {
        return NameHash.base32(bytes);
    }

    static byte[] sha1(String text) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

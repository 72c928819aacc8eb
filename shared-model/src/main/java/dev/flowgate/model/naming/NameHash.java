package dev.flowgate.model.naming;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The hash Metaflow shortens long names with (state machines, EventBridge rules, production-token prefixes):
 * lowercase RFC 4648 base32, unpadded, of the SHA-1 of the name.
 */
public final class NameHash {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private NameHash() {
    }

    /** Lowercase unpadded base32 of SHA-1({@code text}); 32 characters. */
    public static String base32Sha1(String text) {
        try {
            return base32(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8))).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }

    /** RFC 4648 base32 without padding, uppercase. */
    public static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}

package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.flowgate.metadata.domain.Caller;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The caller API Gateway established for a request, never what the body claims, in this order: a Lambda
 * authorizer's {@code principalId} (the local runtime acts as one: it names the API key the request presented);
 * the IAM caller's {@code userArn} (AWS_IAM authorization); the API key API Gateway checked, named by its
 * fingerprint {@code key-sha256:<first 16 hex digits of SHA-256 of the key>} (the event class carries the key's
 * value, not its id; the value is a secret and is never logged or stored, the fingerprint is not).
 */
final class CallerIdentities {
    static final String KEY_PREFIX = "key-sha256:";

    private CallerIdentities() {
    }

    static Caller of(APIGatewayProxyRequestEvent event) {
        APIGatewayProxyRequestEvent.ProxyRequestContext context = event.getRequestContext();
        if (context == null) {
            return Caller.UNKNOWN;
        }
        Map<String, Object> authorizer = context.getAuthorizer();
        if (authorizer != null && authorizer.get("principalId") instanceof String principal && !principal.isBlank()) {
            return new Caller(principal, "authorizer");
        }
        APIGatewayProxyRequestEvent.RequestIdentity identity = context.getIdentity();
        if (identity == null) {
            return Caller.UNKNOWN;
        }
        if (identity.getUserArn() != null && !identity.getUserArn().isBlank()) {
            return new Caller(identity.getUserArn(), "iam");
        }
        if (identity.getApiKey() != null && !identity.getApiKey().isBlank()) {
            return new Caller(fingerprint(identity.getApiKey()), "api-key");
        }
        return Caller.UNKNOWN;
    }

    /** What an operator lists in the settings for an API key: {@code printf %s "$KEY" | sha256sum | cut -c1-16}. */
    static String fingerprint(String apiKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return KEY_PREFIX + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

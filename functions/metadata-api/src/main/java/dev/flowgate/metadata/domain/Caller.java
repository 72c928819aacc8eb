package dev.flowgate.metadata.domain;

/**
 * Who sent a request, as the front door established it (never as the body claims it): in AWS the API Gateway
 * request context (a Lambda authorizer's principal, the IAM caller's ARN, or the API key id); locally the name
 * of the local runtime's API key. {@code name} is null when the front door established nobody.
 *
 * @param kind {@code authorizer}, {@code iam}, {@code api-key} or {@code none}
 */
public record Caller(String name, String kind) {
    public static final Caller UNKNOWN = new Caller(null, "none");

    public boolean known() {
        return name != null && !name.isBlank();
    }

    /** How the caller appears in messages and audit records. */
    public String describe() {
        return known() ? kind + ":" + name : "an unidentified caller";
    }
}

package dev.flowgate.model.resources;

import java.util.Objects;

/**
 * A Secrets Manager secret Flowgate reads. In AWS the platform team fills it in; locally the runtime seeds
 * it from {@code localEnvVariable}, or from {@code developmentDefault} (announced at start) when unset.
 */
public record SecretSpec(String logicalName, String description, String localEnvVariable, String developmentDefault) {
    public SecretSpec {
        Objects.requireNonNull(logicalName, "logicalName");
        Objects.requireNonNull(description, "description");
    }
}

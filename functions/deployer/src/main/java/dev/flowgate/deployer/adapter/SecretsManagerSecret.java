package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.WebhookSecret;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One Secrets Manager secret, cached for {@code maxAge} (rotation reaches a warm container within that time).
 * Serves as the webhook secret and as the GitHub token supplier.
 */
public final class SecretsManagerSecret implements WebhookSecret, Supplier<String> {
    private final SecretsManagerClient client;
    private final String secretId;
    private final Duration maxAge;
    private final Clock clock;
    private volatile String cached;
    private volatile Instant fetchedAt = Instant.MIN;

    public SecretsManagerSecret(SecretsManagerClient client, String secretId, Duration maxAge, Clock clock) {
        this.client = client;
        this.secretId = secretId;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    @Override
    public String get() {
        Instant now = clock.instant();
        String value = cached;
        if (value == null || fetchedAt.plus(maxAge).isBefore(now)) {
            try {
                value = client.getSecretValue(r -> r.secretId(secretId)).secretString();
            } catch (SdkException e) {
                throw new DeployError.Unavailable("secret " + secretId + " could not be read", e);
            }
            cached = value;
            fetchedAt = now;
        }
        return value;
    }

    @Override
    public byte[] value() {
        return get().getBytes(StandardCharsets.UTF_8);
    }
}

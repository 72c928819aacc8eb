package dev.flowgate.alerter.adapter;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Secrets Manager secret string, cached for {@code maxAge} per container (a rotated webhook is picked
 * up within that time). When the secret does not exist, {@code fallback} is used if given (the local
 * runtime's Slack sink), else it fails with a message naming the secret.
 */
public final class CachedSecret implements Supplier<String> {
    private final SecretsManagerClient secrets;
    private final String secretName;
    private final Duration maxAge;
    private final Clock clock;
    private final Optional<String> fallback;
    private String value;
    private Instant fetchedAt = Instant.MIN;

    public CachedSecret(SecretsManagerClient secrets, String secretName, Duration maxAge, Clock clock,
                        Optional<String> fallback) {
        this.secrets = secrets;
        this.secretName = secretName;
        this.maxAge = maxAge;
        this.clock = clock;
        this.fallback = fallback;
    }

    @Override
    public synchronized String get() {
        Instant now = clock.instant();
        if (value == null || fetchedAt.plus(maxAge).isBefore(now)) {
            try {
                value = secrets.getSecretValue(r -> r.secretId(secretName)).secretString();
            } catch (ResourceNotFoundException e) {
                value = fallback.orElseThrow(() -> new IllegalStateException("secret " + secretName
                        + " does not exist: store the Slack webhook URL there"));
            }
            fetchedAt = now;
        }
        return value;
    }
}

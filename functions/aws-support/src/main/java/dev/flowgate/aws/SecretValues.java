package dev.flowgate.aws;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.lambda.powertools.parameters.cache.CacheManager;
import software.amazon.lambda.powertools.parameters.secrets.SecretsProvider;

import java.time.Duration;

/**
 * Secrets Manager values through Powertools Parameters: one provider per container over the shared SDK client,
 * each value cached for {@code maxAge} (a rotated secret reaches a warm container within that time).
 * Adapters ask {@code provider.get(secretIdOrArn)} and translate the SDK's failures into their domain's errors.
 */
public final class SecretValues {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

    private SecretValues() {
    }

    public static SecretsProvider provider(AwsSettings aws, Duration maxAge) {
        return provider(aws.configure(SecretsManagerClient.builder()), maxAge);
    }

    public static SecretsProvider provider(SecretsManagerClient client, Duration maxAge) {
        CacheManager cache = new CacheManager();
        cache.setDefaultExpirationTime(maxAge);
        return SecretsProvider.builder().withClient(client).withCacheManager(cache).build();
    }
}

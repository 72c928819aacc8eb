package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.WebhookSecret;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.lambda.powertools.parameters.secrets.SecretsProvider;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * One Secrets Manager secret (name or ARN) read through Powertools Parameters, which caches it per container for
 * the provider's max age (rotation reaches a warm container within that time). Serves as the webhook secret, the
 * GitHub token supplier and the metadata API key; an unreadable secret is {@link DeployError.Unavailable}.
 */
public final class SecretsManagerSecret implements WebhookSecret, Supplier<String> {
    private final SecretsProvider secrets;
    private final String secretId;

    public SecretsManagerSecret(SecretsProvider secrets, String secretId) {
        this.secrets = secrets;
        this.secretId = secretId;
    }

    @Override
    public String get() {
        try {
            return secrets.get(secretId);
        } catch (SdkException e) {
            throw new DeployError.Unavailable("secret " + secretId + " could not be read", e);
        }
    }

    @Override
    public byte[] value() {
        return get().getBytes(StandardCharsets.UTF_8);
    }
}

package dev.flowgate.alerter.adapter;

import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.lambda.powertools.parameters.secrets.SecretsProvider;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Slack webhook secret, read through Powertools Parameters (cached per container for the provider's max age, so
 * a rotated webhook is picked up within that time). When the secret does not exist, {@code fallback} is used if
 * given (the local runtime's Slack sink), else it fails with a message naming the secret.
 */
public final class SlackWebhookSecret implements Supplier<String> {
    private final SecretsProvider secrets;
    private final String secretName;
    private final Optional<String> fallback;

    public SlackWebhookSecret(SecretsProvider secrets, String secretName, Optional<String> fallback) {
        this.secrets = secrets;
        this.secretName = secretName;
        this.fallback = fallback;
    }

    @Override
    public String get() {
        try {
            return secrets.get(secretName);
        } catch (ResourceNotFoundException e) {
            return fallback.orElseThrow(() -> new IllegalStateException("secret " + secretName
                    + " does not exist: store the Slack webhook URL there"));
        }
    }
}

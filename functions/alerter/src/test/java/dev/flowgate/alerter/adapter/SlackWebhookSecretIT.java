package dev.flowgate.alerter.adapter;

import dev.flowgate.aws.SecretValues;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(AwsEmulatorExtension.class)
class SlackWebhookSecretIT {

    @Test
    void get_servesTheCachedValueWithinMaxAge_andRereadsARotatedValueOnceExpired(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String name = AwsEmulator.uniqueName("s") + "/slack-webhook";
            sm.createSecret(r -> r.name(name).secretString("https://hooks.example.com/one"));
            SlackWebhookSecret cached = new SlackWebhookSecret(SecretValues.provider(sm, Duration.ofMinutes(5)), name, Optional.empty());
            SlackWebhookSecret expired = new SlackWebhookSecret(SecretValues.provider(sm, Duration.ZERO), name, Optional.empty());
            assertThat(cached.get()).isEqualTo("https://hooks.example.com/one");
            assertThat(expired.get()).isEqualTo("https://hooks.example.com/one");
            sm.putSecretValue(r -> r.secretId(name).secretString("https://hooks.example.com/two"));
            assertThat(cached.get()).as("within max age").isEqualTo("https://hooks.example.com/one");
            assertThat(expired.get()).as("past max age").isEqualTo("https://hooks.example.com/two");
        }
    }

    @Test
    void get_whenSecretMissing_usesTheLocalSinkOrNamesTheSecret(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String name = AwsEmulator.uniqueName("none") + "/slack-webhook";
            assertThat(new SlackWebhookSecret(SecretValues.provider(sm, Duration.ofMinutes(5)), name,
                    Optional.of("http://127.0.0.1:8080/local/slack")).get()).isEqualTo("http://127.0.0.1:8080/local/slack");
            assertThatThrownBy(() -> new SlackWebhookSecret(SecretValues.provider(sm, Duration.ofMinutes(5)), name,
                    Optional.empty()).get()).hasMessageContaining(name);
        }
    }
}

package dev.flowgate.deployer.handler;

import dev.flowgate.aws.Environment;
import dev.flowgate.aws.SecretValues;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deployer's metadata API key is read from Secrets Manager when a request is made, never from a plain variable. */
@ExtendWith(AwsEmulatorExtension.class)
class MetadataApiKeySecretIT {

    @Test
    void metadataHeaders_withAKeySecret_sendTheSecretsValueAsXApiKey_andPickUpARotatedKey(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String arn = sm.createSecret(r -> r.name(AwsEmulator.uniqueName("k") + "-deployer-api-key")
                    .secretString("first-key")).arn();
            Environment env = Environment.of(Map.of(DeployerWiring.METADATA_API_KEY_SECRET, arn,
                    "METAFLOW_SERVICE_HEADERS", "{\"x-team\": \"ml\"}"));
            var headers = DeployerWiring.metadataHeaders(env, SecretValues.provider(sm, Duration.ZERO));

            assertThat(headers.get()).containsEntry("x-api-key", "first-key").containsEntry("x-team", "ml");
            sm.putSecretValue(r -> r.secretId(arn).secretString("rotated-key"));
            assertThat(headers.get()).containsEntry("x-api-key", "rotated-key");
        }
    }

    @Test
    void metadataHeaders_withAMissingSecret_failAsUnavailable_namingTheSecret(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String name = AwsEmulator.uniqueName("absent") + "-deployer-api-key";
            var headers = DeployerWiring.metadataHeaders(Environment.of(Map.of(DeployerWiring.METADATA_API_KEY_SECRET, name)),
                    SecretValues.provider(sm, Duration.ofMinutes(5)));
            assertThatThrownBy(headers::get).isInstanceOf(DeployError.Unavailable.class).hasMessageContaining(name);
        }
    }

    @Test
    void metadataHeaders_withoutASecret_useThePlainDevelopmentKey_orNone(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            var provider = SecretValues.provider(sm, Duration.ofMinutes(5));
            assertThat(DeployerWiring.metadataHeaders(Environment.of(Map.of("METAFLOW_SERVICE_AUTH_KEY", "dev-key")), provider).get())
                    .containsExactly(Map.entry("x-api-key", "dev-key"));
            assertThat(DeployerWiring.metadataHeaders(Environment.of(Map.of()), provider).get()).isEmpty();
        }
    }
}

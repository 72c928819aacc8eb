package dev.flowgate.alerter.adapter;

import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(AwsEmulatorExtension.class)
class CachedSecretIT {

    @Test
    void get_cachesForMaxAgeThenRereadsTheRotatedValue(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String name = AwsEmulator.uniqueName("s") + "/slack-webhook";
            sm.createSecret(r -> r.name(name).secretString("https://hooks.example.com/one"));
            Instant[] now = {Instant.parse("2026-11-28T00:00:00Z")};
            Clock clock = new Clock() {
                public ZoneOffset getZone() { return ZoneOffset.UTC; }
                public Clock withZone(java.time.ZoneId z) { return this; }
                public Instant instant() { return now[0]; }
            };
            CachedSecret secret = new CachedSecret(sm, name, Duration.ofMinutes(5), clock, Optional.empty());
            assertThat(secret.get()).isEqualTo("https://hooks.example.com/one");
            sm.putSecretValue(r -> r.secretId(name).secretString("https://hooks.example.com/two"));
            now[0] = now[0].plus(Duration.ofMinutes(4));
            assertThat(secret.get()).isEqualTo("https://hooks.example.com/one");
            now[0] = now[0].plus(Duration.ofMinutes(2));
            assertThat(secret.get()).isEqualTo("https://hooks.example.com/two");
        }
    }

    @Test
    void get_whenSecretMissing_usesTheLocalSinkOrNamesTheSecret(AwsEmulator emulator) {
        try (SecretsManagerClient sm = emulator.settings().configure(SecretsManagerClient.builder())) {
            String name = AwsEmulator.uniqueName("none") + "/slack-webhook";
            assertThat(new CachedSecret(sm, name, Duration.ofMinutes(5), Clock.systemUTC(),
                    Optional.of("http://127.0.0.1:8080/local/slack")).get()).isEqualTo("http://127.0.0.1:8080/local/slack");
            assertThatThrownBy(() -> new CachedSecret(sm, name, Duration.ofMinutes(5), Clock.systemUTC(), Optional.empty()).get())
                    .hasMessageContaining(name);
        }
    }
}

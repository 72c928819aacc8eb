package dev.flowgate.alerter.adapter;

import dev.flowgate.alerter.domain.BurstSummary;
import dev.flowgate.alerter.domain.BurstWindow;
import dev.flowgate.alerter.port.AlertLedger.Claim;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbAlertLedgerIT {
    private static final Instant T0 = Instant.parse("2026-11-28T06:10:00Z");
    private DynamoDbClient dynamo;
    private DynamoDbAlertLedger ledger;

    @BeforeAll
    void setUp(AwsEmulator emulator) {
        FlowgateResources names = new FlowgateResources(AwsEmulator.uniqueName("al"));
        try (ResourceProvisioner p = new ResourceProvisioner(emulator.settings(), names)) {
            p.createTable(FlowgateResources.CONTROL);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        ledger = new DynamoDbAlertLedger(dynamo, names.tableName(FlowgateResources.CONTROL), Duration.ofMinutes(2), Duration.ofDays(7));
    }

    @AfterAll
    void tearDown() {
        dynamo.close();
    }

    @Test
    void reserve_confirm_thenDuplicateIsAlreadySent() {
        String key = "alert#" + AwsEmulator.uniqueName("x") + "#FAILED";
        assertThat(ledger.reserve(key, T0)).isEqualTo(Claim.NEW);
        assertThat(ledger.reserve(key, T0)).isEqualTo(Claim.IN_FLIGHT);
        ledger.confirm(key, T0);
        assertThat(ledger.reserve(key, T0.plusSeconds(1))).isEqualTo(Claim.ALREADY_SENT);
        ledger.release(key); // a sent alert cannot be released
        assertThat(ledger.reserve(key, T0.plus(Duration.ofHours(1)))).isEqualTo(Claim.ALREADY_SENT);
    }

    @Test
    void release_afterFailedDelivery_letsTheRetryReserveAgain() {
        String key = "alert#" + AwsEmulator.uniqueName("x") + "#FAILED";
        assertThat(ledger.reserve(key, T0)).isEqualTo(Claim.NEW);
        ledger.release(key);
        assertThat(ledger.reserve(key, T0)).isEqualTo(Claim.NEW);
    }

    @Test
    void reserve_whenLeaseExpired_isNewAgain() {
        String key = "alert#" + AwsEmulator.uniqueName("x") + "#FAILED";
        assertThat(ledger.reserve(key, T0)).isEqualTo(Claim.NEW);
        assertThat(ledger.reserve(key, T0.plus(Duration.ofMinutes(3)))).isEqualTo(Claim.NEW);
    }

    @Test
    void countBurst_countsAndListsTheEndedWindowUntilClosed() {
        String arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + AwsEmulator.uniqueName("m");
        BurstWindow w = new BurstWindow(arn, "m", "TrainFlow", Optional.of("churn"), "us-east-1", T0, T0.plusSeconds(300));
        for (int i = 1; i <= 7; i++) {
            assertThat(ledger.countBurst(w, "run-" + i, T0.plusSeconds(i))).isEqualTo(i);
        }
        ledger.uncountBurst(w);
        assertThat(mine(ledger.endedBursts(T0.plusSeconds(299)), arn)).isEmpty();
        List<BurstSummary> ended = mine(ledger.endedBursts(T0.plusSeconds(301)), arn);
        assertThat(ended).singleElement().satisfies(b -> {
            assertThat(b.total()).isEqualTo(6);
            assertThat(b.flow()).isEqualTo("TrainFlow");
            assertThat(b.project()).contains("churn");
            assertThat(b.examples()).containsExactly("run-1", "run-2", "run-3", "run-4", "run-5");
            assertThat(b.windowEnd()).isEqualTo(T0.plusSeconds(300));
        });
        ledger.closeBurst(ended.get(0));
        assertThat(mine(ledger.endedBursts(T0.plusSeconds(400)), arn)).isEmpty();
    }

    private static List<BurstSummary> mine(List<BurstSummary> all, String arn) {
        return all.stream().filter(b -> b.stateMachineArn().equals(arn)).toList();
    }
}

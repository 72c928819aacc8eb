package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;
import dev.flowgate.model.json.FlowgateJson;

import dev.flowgate.alerter.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlerterEventsTest {

    @Test
    void parse_whenFailedExecutionEvent_readsArnsStatusAndDates() {
        var e = (AlerterInput.ExecutionStatusChange) AlerterEvents.parse(Fixtures.json("events/sfn-execution-failed.json"));
        assertThat(e.status()).isEqualTo(AlertStatus.FAILED);
        assertThat(e.region()).isEqualTo("us-east-1");
        assertThat(e.executionName()).isEqualTo("2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11");
        assertThat(e.startDate()).contains(Instant.ofEpochMilli(1764309600000L));
        assertThat(e.error()).contains("States.TaskFailed");
    }

    @Test
    void parse_whenSucceeded_isIgnored() {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.json("events/sfn-execution-failed.json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("detail")).put("status", "SUCCEEDED");
        assertThat(AlerterEvents.parse(json)).isInstanceOf(AlerterInput.Ignored.class);
    }

    @Test
    void parse_whenExecutionArnMissing_namesTheField() {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.json("events/sfn-execution-failed.json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("detail")).remove("executionArn");
        assertThatThrownBy(() -> AlerterEvents.parse(json)).isInstanceOf(InvalidEventException.class)
                .extracting(e -> ((InvalidEventException) e).field()).isEqualTo("detail.executionArn");
    }

    @Test
    void parse_whenUnknownSource_namesDetailType() {
        assertThatThrownBy(() -> AlerterEvents.parse(Fixtures.MAPPER.readTree("{\"source\":\"x\",\"detail-type\":\"y\"}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("unsupported event source 'x'");
    }

    @Test
    void deploymentFailedEvent_roundTripsThroughParse() {
        DeploymentFailedEvent f = new DeploymentFailedEvent("dep-1", "TrainFlow", "churn", "acme/churn", "abc", "main",
                "mismatch", "differs", Optional.of("#deploys"), Instant.parse("2026-11-28T10:15:00Z"));
        var parsed = (AlerterInput.DeploymentFailed) AlerterEvents.parse(FlowgateJson.parse(f.toJson()));
        assertThat(parsed.failure()).isEqualTo(f);
    }

    @Test
    void parse_whenScheduledEvent_isAFlush() throws Exception {
        assertThat(AlerterEvents.parse(Fixtures.MAPPER.readTree(
                "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}")))
                .isInstanceOf(AlerterInput.FlushBursts.class);
    }
}

package dev.flowgate.alerter.handler;

import dev.flowgate.alerter.FakeHistory;
import dev.flowgate.alerter.Fixtures;
import dev.flowgate.alerter.InMemoryAlertLedger;
import dev.flowgate.alerter.RecordingChat;
import dev.flowgate.alerter.domain.AlertRenderer;
import dev.flowgate.alerter.domain.AlerterService;
import dev.flowgate.alerter.domain.ChannelRouting;
import dev.flowgate.alerter.domain.ConsoleLinks;
import dev.flowgate.alerter.domain.StateMachineFilter;
import dev.flowgate.alerter.port.DeliveryFailedException;
import dev.flowgate.aws.RecordedMetrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alerts sent and failed as EMF metrics; the event's answer unchanged. */
class AlerterHandlerTest {
    private final RecordingChat chat = new RecordingChat();
    private final RecordedMetrics recorded = new RecordedMetrics();
    private final AlerterHandler handler = new AlerterHandler(new AlerterService(
            new FakeHistory(Fixtures.PROD_TAGS, Fixtures.history("history/batch-failure.json")), chat,
            new InMemoryAlertLedger(Duration.ofMinutes(2)),
            new AlertRenderer(new ConsoleLinks(Optional.empty(), "/aws/batch/job"), ChannelRouting.parse("", Optional.empty())),
            new StateMachineFilter(Optional.empty()), Duration.ofMinutes(5), Clock.systemUTC(), line -> { }),
            recorded.metrics(AlerterHandler.NAMESPACE));

    private String invoke(String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes()), out, null);
        return out.toString();
    }

    @Test
    void handleRequest_whenPosted_countsAnAlertSent() throws Exception {
        assertThat(invoke(Fixtures.text("events/sfn-execution-failed.json"))).contains("\"outcome\":\"posted\"");
        assertThat(recorded.documents()).singleElement().satisfies(d -> {
            assertThat(d.namespace()).isEqualTo("Flowgate/Alerter");
            assertThat(d.values()).isEqualTo(Map.of("AlertsSent", 1.0));
        });
    }

    @Test
    void handleRequest_whenDeliveryFails_countsAnAlertFailed_andThrowsForTheRetry() {
        chat.failures = 1;
        assertThatThrownBy(() -> invoke(Fixtures.text("events/sfn-execution-failed.json")))
                .isInstanceOf(DeliveryFailedException.class);
        assertThat(recorded.documents()).singleElement().satisfies(d -> assertThat(d.values()).isEqualTo(Map.of("AlertsFailed", 1.0)));
    }

    @Test
    void handleRequest_withAMalformedEvent_isRejected_andCountsNothing() throws Exception {
        assertThat(invoke("{not json")).contains("\"outcome\":\"rejected\"");
        assertThat(recorded.documents()).isEmpty();
    }
}

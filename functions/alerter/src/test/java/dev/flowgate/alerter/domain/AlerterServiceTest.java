package dev.flowgate.alerter.domain;

import dev.flowgate.alerter.FakeHistory;
import dev.flowgate.alerter.Fixtures;
import dev.flowgate.alerter.InMemoryAlertLedger;
import dev.flowgate.alerter.RecordingChat;
import dev.flowgate.alerter.port.DeliveryFailedException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlerterServiceTest {
    private final RecordingChat chat = new RecordingChat();
    private final InMemoryAlertLedger ledger = new InMemoryAlertLedger(Duration.ofMinutes(2));
    private final List<String> logs = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T06:10:00Z"));

    private AlerterService service(Map<String, String> tags, Optional<String> prefix) {
        return new AlerterService(new FakeHistory(tags, Fixtures.history("history/batch-failure.json")), chat, ledger,
                new AlertRenderer(new ConsoleLinks(Optional.empty(), "/aws/batch/job"), ChannelRouting.parse("", Optional.empty())),
                new StateMachineFilter(prefix), Duration.ofMinutes(5), clock, logs::add);
    }

    private static AlerterInput.ExecutionStatusChange failure(String name) {
        var e = Fixtures.event("events/sfn-execution-failed.json");
        String arn = e.executionArn().substring(0, e.executionArn().lastIndexOf(':') + 1) + name;
        return new AlerterInput.ExecutionStatusChange(e.region(), arn, e.stateMachineArn(), name, e.status(),
                e.startDate(), e.stopDate(), e.error(), e.cause());
    }

    @Test
    void handle_whenSameEventTwice_postsOnce() {
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.POSTED);
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.DUPLICATE);
        assertThat(chat.posted).hasSize(1);
    }

    @Test
    void handle_whenDeliveryFails_throwsAndTheRetryPosts() {
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        chat.failures = 1;
        assertThatThrownBy(() -> s.handle(failure("run-1"))).isInstanceOf(DeliveryFailedException.class);
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.POSTED);
        assertThat(chat.posted).hasSize(1);
        assertThat(chat.posted.get(0).text()).contains("TrainFlow (production) failed at step train");
    }

    @Test
    void handle_whenMachineIsNotFlowgates_ignoresAndLogs() {
        AlerterService s = service(Map.of("team", "x"), Optional.of("flowgate-"));
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.IGNORED);
        assertThat(chat.posted).isEmpty();
        assertThat(logs).singleElement().asString().contains("not deployed by Flowgate");
    }

    @Test
    void handle_whenNamePrefixMatches_alertsWithoutTags() {
        AlerterService s = service(Map.of(), Optional.of("churn."));
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.POSTED);
    }

    @Test
    void handle_whenBurstOf200_postsOneAlertThenOneSummaryWithTheCount() {
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        for (int i = 0; i < 200; i++) {
            s.handle(failure("run-" + i));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(chat.posted).hasSize(1);
        assertThat(s.handle(new AlerterInput.FlushBursts()).detail()).isEqualTo("0 burst summaries"); // window still open
        clock.advance(Duration.ofMinutes(5));
        s.handle(new AlerterInput.FlushBursts());
        assertThat(chat.posted).hasSize(2);
        assertThat(chat.posted.get(1).text()).startsWith("TrainFlow: 199 more failures");
        s.handle(new AlerterInput.FlushBursts());
        assertThat(chat.posted).hasSize(2);
    }

    @Test
    void handle_whenBurstCrossesAWindowBoundary_eachWindowGetsOneDetailedAlert() {
        clock.advance(Duration.ofMinutes(4));
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        for (int i = 0; i < 120; i++) {
            s.handle(failure("run-" + i));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(chat.posted).hasSize(2); // fixed windows: 06:10-06:15 and 06:15-06:20
    }

    @Test
    void handle_whenFirstOfWindowFailsToDeliver_theRetryIsStillTheDetailedAlert() {
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        chat.failures = 1;
        assertThatThrownBy(() -> s.handle(failure("run-1"))).isInstanceOf(DeliveryFailedException.class);
        assertThat(s.handle(failure("run-1")).outcome()).isEqualTo(AlerterService.Outcome.POSTED);
        assertThat(s.handle(failure("run-2")).outcome()).isEqualTo(AlerterService.Outcome.GROUPED);
    }

    @Test
    void notify_whenDeploymentFailsTwiceWithSameId_postsOnce() {
        AlerterService s = service(Fixtures.PROD_TAGS, Optional.empty());
        var d = ((AlerterInput.DeploymentFailed) AlerterEvents.parse(Fixtures.json("events/deployment-failed.json"))).failure();
        s.notify(d);
        s.notify(d);
        assertThat(chat.posted).singleElement().extracting(SlackMessage::channel).isEqualTo(Optional.of("#churn-deploys"));
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

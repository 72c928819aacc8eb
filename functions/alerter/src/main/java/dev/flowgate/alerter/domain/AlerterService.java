package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;

import dev.flowgate.alerter.port.AlertInFlightException;
import dev.flowgate.alerter.port.AlertLedger;
import dev.flowgate.alerter.port.ChatNotifier;
import dev.flowgate.alerter.port.ExecutionHistory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The alerter: decide whether an event alerts, enrich it, render it, deliver it exactly once per
 * execution and status, and group bursts. A delivery failure frees the dedup reservation and propagates,
 * so the invocation fails and AWS retries it (then the dead-letter queue keeps it).
 */
public final class AlerterService implements AlertNotifier {
    public enum Outcome { POSTED, DUPLICATE, GROUPED, IGNORED, FLUSHED }

    public record Result(Outcome outcome, String detail) {
    }

    private final ExecutionHistory history;
    private final ChatNotifier chat;
    private final AlertLedger ledger;
    private final AlertRenderer renderer;
    private final StateMachineFilter filter;
    private final Duration burstWindow;
    private final Clock clock;
    private final Consumer<String> log;

    public AlerterService(ExecutionHistory history, ChatNotifier chat, AlertLedger ledger, AlertRenderer renderer,
                          StateMachineFilter filter, Duration burstWindow, Clock clock, Consumer<String> log) {
        this.history = history;
        this.chat = chat;
        this.ledger = ledger;
        this.renderer = renderer;
        this.filter = filter;
        this.burstWindow = burstWindow;
        this.clock = clock;
        this.log = log;
    }

    public Result handle(AlerterInput input) {
        if (input instanceof AlerterInput.ExecutionStatusChange e) {
            return execution(e);
        }
        if (input instanceof AlerterInput.DeploymentFailed d) {
            return deployment(d.failure());
        }
        if (input instanceof AlerterInput.FlushBursts) {
            return flush();
        }
        return new Result(Outcome.IGNORED, ((AlerterInput.Ignored) input).reason());
    }

    @Override
    public void notify(DeploymentFailedEvent failure) {
        deployment(failure);
    }

    private Result execution(AlerterInput.ExecutionStatusChange event) {
        String machine = Enrichment.stateMachineName(event.stateMachineArn());
        Map<String, String> tags = history.tags(event.stateMachineArn());
        if (!filter.isFlowgate(machine, tags)) {
            String why = "state machine " + machine + " is not deployed by Flowgate (no " + StateMachineFilter.DEPLOYMENT_TAG
                    + " tag, name prefix " + filter.namePrefix().orElse("unset") + ")";
            log.accept(why);
            return new Result(Outcome.IGNORED, why);
        }
        String key = "alert#" + event.executionArn() + "#" + event.status();
        return once(key, () -> {
            ExecutionAlert alert = Enrichment.enrich(event, tags, history.trace(event.executionArn()));
            Instant now = clock.instant();
            BurstWindow window = BurstWindow.of(alert, now, burstWindow);
            long count = ledger.countBurst(window, event.executionName(), now);
            if (count > 1) {
                return new Result(Outcome.GROUPED, "alert " + count + " of " + machine + " since " + window.start());
            }
            try {
                chat.post(renderer.render(alert));
            } catch (RuntimeException e) {
                ledger.uncountBurst(window);
                throw e;
            }
            return new Result(Outcome.POSTED, alert.flow() + " " + alert.status());
        });
    }

    private Result deployment(DeploymentFailedEvent failure) {
        return once("deploy#" + failure.deploymentId() + "#" + failure.flow() + "#" + failure.outcome(), () -> {
            chat.post(renderer.render(failure));
            return new Result(Outcome.POSTED, "deployment " + failure.deploymentId() + " of " + failure.flow());
        });
    }

    private Result flush() {
        int posted = 0;
        for (BurstSummary burst : ledger.endedBursts(clock.instant())) {
            if (burst.total() > 1) {
                once("burst#" + burst.stateMachineArn() + "#" + burst.windowStart().getEpochSecond(), () -> {
                    chat.post(renderer.render(burst));
                    return new Result(Outcome.POSTED, "");
                });
                posted++;
            }
            ledger.closeBurst(burst);
        }
        return new Result(Outcome.FLUSHED, posted + " burst summaries");
    }

    /** Reserve, act, confirm; a failed action frees the reservation and propagates. */
    private Result once(String key, Supplier<Result> action) {
        switch (ledger.reserve(key, clock.instant())) {
            case ALREADY_SENT -> {
                log.accept("duplicate " + key + ": already sent");
                return new Result(Outcome.DUPLICATE, key);
            }
            case IN_FLIGHT -> throw new AlertInFlightException(key);
            case NEW -> {
            }
        }
        Result result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            ledger.release(key);
            throw e;
        }
        ledger.confirm(key, clock.instant());
        return result;
    }
}

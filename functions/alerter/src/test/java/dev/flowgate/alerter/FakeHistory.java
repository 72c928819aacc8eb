package dev.flowgate.alerter;

import dev.flowgate.alerter.domain.ExecutionTrace;
import dev.flowgate.alerter.domain.HistoryEvent;
import dev.flowgate.alerter.port.ExecutionHistory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** In-memory {@link ExecutionHistory}: the same tags and events for every execution. */
public final class FakeHistory implements ExecutionHistory {
    private final Map<String, String> tags;
    private final List<HistoryEvent> events;
    public int traces;

    public FakeHistory(Map<String, String> tags, List<HistoryEvent> events) {
        this.tags = tags;
        this.events = events;
    }

    @Override
    public Map<String, String> tags(String stateMachineArn) {
        return tags;
    }

    @Override
    public ExecutionTrace trace(String executionArn) {
        traces++;
        return new ExecutionTrace(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), events);
    }
}

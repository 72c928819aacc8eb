package dev.flowgate.alerter.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which step failed, when a flow's @exit_hook states ran (and one of them failed too) after the failure. */
class FailureAnalyzerTest {
    private final List<HistoryEvent> events = new ArrayList<>();

    private void event(String type, String state, String error, String cause) {
        events.add(new HistoryEvent(events.size() + 1, type, Instant.EPOCH.plusSeconds(events.size()), state, error, cause,
                null, null));
    }

    private List<HistoryEvent> newestFirst() {
        List<HistoryEvent> copy = new ArrayList<>(events);
        Collections.reverse(copy);
        return copy;
    }

    private void failedRunWithHooks() {
        event("ExecutionStarted", null, null, null);
        event("ParallelStateEntered", "exit_hook:run", null, null);
        event("TaskStateEntered", "start", null, null);
        event("TaskStateExited", "start", null, null);
        event("TaskStateEntered", "load", null, null);
        event("TaskFailed", null, "States.TaskFailed", "{\"JobId\":\"job-load\",\"StatusReason\":\"Essential container in task exited\"}");
        event("ParallelStateFailed", "exit_hook:run", null, null);
        event("TaskStateEntered", "exit_hook:on_error:broken_hook", null, null);
        event("TaskFailed", null, "States.TaskFailed", "{\"JobId\":\"job-hook\",\"StatusReason\":\"hook raised\"}");
        event("TaskStateEntered", "exit_hook:on_error:page_on_call", null, null);
        event("TaskStateExited", "exit_hook:on_error:page_on_call", null, null);
        event("ChoiceStateEntered", "exit_hook:run_failed?", null, null);
        event("FailStateEntered", "exit_hook:run_failed:States", null, null);
        event("ExecutionFailed", null, "Flowgate.States.TaskFailed", "{\"JobId\":\"job-load\"}");
    }

    @Test
    void analyze_withExitHooks_namesTheStepThatFailed_notAHookThatFailedAfterIt() {
        failedRunWithHooks();
        FailurePoint point = FailureAnalyzer.analyze(newestFirst(), Optional.empty(), Optional.empty());
        assertThat(point.step()).contains("load");
        assertThat(point.error()).contains("States.TaskFailed");
        assertThat(point.batchJobId()).contains("job-load");
    }

    @Test
    void analyze_withoutExitHooks_isUnchanged() {
        event("ExecutionStarted", null, null, null);
        event("TaskStateEntered", "start", null, null);
        event("TaskFailed", null, "States.TaskFailed", "{\"JobId\":\"job-start\"}");
        event("ExecutionFailed", null, "States.TaskFailed", "");
        FailurePoint point = FailureAnalyzer.analyze(newestFirst(), Optional.empty(), Optional.empty());
        assertThat(point.step()).contains("start");
        assertThat(point.batchJobId()).contains("job-start");
    }

    @Test
    void complete_needsTheFailedStepNotJustAHookState() {
        failedRunWithHooks();
        List<HistoryEvent> newestFirst = newestFirst();
        assertThat(FailureAnalyzer.complete(newestFirst.subList(0, 6))).as("only hook states seen so far").isFalse();
        assertThat(FailureAnalyzer.complete(newestFirst)).isTrue();
    }
}

package dev.flowgate.alerter.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the failure in an execution history read newest first. The failed state is the newest state that
 * was entered (a failing Task state has no *StateExited event); its Metaflow step has the same name. The
 * error and cause come from the newest task-level failure (the Batch job JSON for a Batch step), falling back
 * to the execution-level failure.
 */
public final class FailureAnalyzer {
    private static final Set<String> TASK_FAILURES = Set.of("TaskFailed", "TaskTimedOut", "TaskSubmitFailed",
            "TaskStartFailed", "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed",
            "LambdaFunctionScheduleFailed", "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed",
            "MapRunFailed", "MapIterationFailed");
    private static final Set<String> EXECUTION_ENDS = Set.of("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted");

    private static final String EXIT_HOOK_PREFIX = "exit_hook:";
    private static final String EXIT_HOOK_WRAPPER = "exit_hook:run";

    private FailureAnalyzer() {
    }

    /** True once the events hold the failed state: no older page is needed. */
    public static boolean complete(List<HistoryEvent> newestFirst) {
        return beforeExitHooks(newestFirst).stream().anyMatch(e -> e.type().endsWith("StateEntered"));
    }

    public static FailurePoint analyze(List<HistoryEvent> newestAll, Optional<String> fallbackError,
                                       Optional<String> fallbackCause) {
        List<HistoryEvent> newestFirst = beforeExitHooks(newestAll);
        Optional<String> step = newestFirst.stream().filter(e -> e.type().endsWith("StateEntered"))
                .map(HistoryEvent::stateName).filter(n -> n != null && !n.isEmpty()).findFirst();
        Optional<HistoryEvent> task = newestFirst.stream().filter(e -> TASK_FAILURES.contains(e.type())).findFirst();
        Optional<HistoryEvent> end = newestAll.stream().filter(e -> EXECUTION_ENDS.contains(e.type())).findFirst();
        Optional<String> error = task.map(HistoryEvent::error).filter(FailureAnalyzer::present)
                .or(() -> end.map(HistoryEvent::error).filter(FailureAnalyzer::present))
                .or(() -> fallbackError.filter(FailureAnalyzer::present));
        String cause = task.map(HistoryEvent::cause).filter(FailureAnalyzer::present)
                .or(() -> end.map(HistoryEvent::cause).filter(FailureAnalyzer::present))
                .or(() -> fallbackCause.filter(FailureAnalyzer::present)).orElse("");
        Optional<JsonNode> json = CauseText.json(cause);
        Optional<String> jobId = json.map(n -> CauseText.field(n, "JobId", "jobId")).filter(FailureAnalyzer::present);
        Optional<String> reason = json.map(n -> CauseText.field(n, "StatusReason", "statusReason")).filter(FailureAnalyzer::present);
        Optional<String> stream = json.flatMap(FailureAnalyzer::logStream);
        return new FailurePoint(step, error, CauseText.shorten(cause), jobId, reason, stream);
    }

    /**
     * The history up to the failure a flow's {@code @exit_hook} states reacted to. Those states (Flowgate names
     * them {@code exit_hook:<phase>:<function>} and {@code exit_hook:run_failed…}) run after the failed step, so
     * they are newer than it; a hook that fails itself must not be reported as the run's failure. The wrapper
     * {@code exit_hook:run}, entered first, is not a hook.
     */
    static List<HistoryEvent> beforeExitHooks(List<HistoryEvent> newestFirst) {
        int oldestHook = -1;
        for (int i = 0; i < newestFirst.size(); i++) {
            HistoryEvent e = newestFirst.get(i);
            if (e.type().endsWith("StateEntered") && e.stateName() != null && e.stateName().startsWith(EXIT_HOOK_PREFIX)
                    && !e.stateName().equals(EXIT_HOOK_WRAPPER)) {
                oldestHook = i;
            }
        }
        return oldestHook < 0 ? newestFirst : newestFirst.subList(oldestHook + 1, newestFirst.size());
    }

    /** Container.LogStreamName, else the newest attempt's (a retried job keeps one stream per attempt). */
    private static Optional<String> logStream(JsonNode job) {
        JsonNode container = job.has("Container") ? job.path("Container") : job.path("container");
        String stream = CauseText.field(container, "LogStreamName", "logStreamName");
        if (present(stream)) {
            return Optional.of(stream);
        }
        JsonNode attempts = job.has("Attempts") ? job.path("Attempts") : job.path("attempts");
        for (int i = attempts.size() - 1; i >= 0; i--) {
            JsonNode c = attempts.get(i).has("Container") ? attempts.get(i).path("Container") : attempts.get(i).path("container");
            String s = CauseText.field(c, "LogStreamName", "logStreamName");
            if (present(s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}

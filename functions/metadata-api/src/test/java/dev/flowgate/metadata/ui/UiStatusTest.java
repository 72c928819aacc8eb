package dev.flowgate.metadata.ui;

import dev.flowgate.metadata.domain.Artifact;
import dev.flowgate.metadata.domain.MetadataEntry;
import dev.flowgate.metadata.domain.Run;
import dev.flowgate.metadata.domain.Task;
import dev.flowgate.metadata.domain.TaskKey;
import dev.flowgate.model.naming.ObjectId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Status derivation as the reference's SQL does it (tables/run.py, tables/task.py), at a fixed "now". */
class UiStatusTest {
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final long NOW_S = NOW_MS / 1000;
    private static final TaskKey END = new TaskKey("F", 1, "end", 7);

    private static Run run(long tsEpoch, Long heartbeat) {
        return new Run("F", 1, null, "ann", tsEpoch, Set.of(), Set.of("user:ann"), heartbeat, 0);
    }

    private static Task task(Long heartbeat) {
        return new Task(END, null, "ann", NOW_MS - 100_000, heartbeat);
    }

    private static MetadataEntry meta(String field, String value, long ts, String... tags) {
        return new MetadataEntry(END, ObjectId.ofNumber(1), ObjectId.ofNumber(7), 0, field, value, "t", "ann", ts,
                List.of(tags), List.of());
    }

    private static Artifact taskOk(int attempt, long ts) {
        return new Artifact(END, ObjectId.ofNumber(1), ObjectId.ofNumber(7), attempt, "_task_ok", "loc" + attempt,
                "content", "sha", "bool", "gzip+pickle-v2", "ann", ts);
    }

    @Test
    void runIsCompletedOrFailedByTheEndStepsLatestAttemptOk() {
        long start = NOW_MS - 50_000;
        UiStatus.RunState done = UiStatus.run(run(start, NOW_S), List.of(
                meta("attempt_ok", "True", NOW_MS - 10_000, "attempt_id:0")), NOW_MS);
        assertEquals(new UiStatus.RunState("completed", NOW_MS - 10_000, 40_000L), done);

        UiStatus.RunState failed = UiStatus.run(run(start, NOW_S), List.of(
                meta("attempt", "0", NOW_MS - 20_000), meta("attempt_ok", "False", NOW_MS - 10_000, "attempt_id:0")), NOW_MS);
        assertEquals("failed", failed.status());
        assertEquals(NOW_MS - 10_000, failed.finishedAt());
    }

    @Test
    void runWhoseEndStepIsRetriedAfterAFailureIsRunning() {
        UiStatus.RunState retrying = UiStatus.run(run(NOW_MS - 50_000, NOW_S - 5), List.of(
                meta("attempt_ok", "False", NOW_MS - 10_000, "attempt_id:0"), meta("attempt", "1", NOW_MS - 9_000)), NOW_MS);
        assertEquals(new UiStatus.RunState("running", null, 45_000L), retrying);
    }

    @Test
    void runWithoutEndIsRunningWhileItsHeartbeatIsFreshThenFailedAtTheLastBeat() {
        long start = NOW_MS - 1_000_000;
        assertEquals(new UiStatus.RunState("running", null, (NOW_S - 360) * 1000 - start),
                UiStatus.run(run(start, NOW_S - 360), List.of(), NOW_MS));
        long lastBeat = NOW_S - 361;
        assertEquals(new UiStatus.RunState("failed", lastBeat * 1000, lastBeat * 1000 - start),
                UiStatus.run(run(start, lastBeat), List.of(), NOW_MS));
    }

    @Test
    void runWithoutHeartbeatIsFailedAndLosesItsDurationAfterADay() {
        assertEquals(new UiStatus.RunState("failed", null, 5_000L), UiStatus.run(run(NOW_MS - 5_000, null), List.of(), NOW_MS));
        assertNull(UiStatus.run(run(NOW_MS - UiStatus.OLD_FAILURE_CUTOFF_MS - 1, null), List.of(), NOW_MS).duration());
    }

    @Test
    void taskWithoutAttemptOrHeartbeatIsPending() {
        List<UiStatus.TaskAttempt> rows = UiStatus.task(task(null), List.of(), List.of(), NOW_MS);
        assertEquals(List.of(new UiStatus.TaskAttempt(0, null, null, null, null, "pending", null)), rows);
    }

    @Test
    void taskAttemptsNewestFirstWithOutcomeFromAttemptOkAndAFailedAttemptBeforeARetry() {
        List<UiStatus.TaskAttempt> rows = UiStatus.task(task(NOW_S), List.of(
                meta("attempt", "0", NOW_MS - 9_000), meta("attempt_ok", "False", NOW_MS - 8_000, "attempt_id:0"),
                meta("attempt", "1", NOW_MS - 7_000), meta("attempt-done", "1", NOW_MS - 3_000),
                meta("attempt_ok", "True", NOW_MS - 4_000, "attempt_id:1")), List.of(taskOk(1, NOW_MS - 4_500)), NOW_MS);
        assertEquals(List.of(
                new UiStatus.TaskAttempt(1, NOW_MS - 7_000, NOW_MS - 3_000, true, null, "completed", 4_000L),
                new UiStatus.TaskAttempt(0, NOW_MS - 9_000, NOW_MS - 8_000, false, null, "failed", 1_000L)), rows);
    }

    @Test
    void runningTaskTurnsFailedWhenItsHeartbeatIsOlderThanTheThreshold() {
        List<MetadataEntry> started = List.of(meta("attempt", "0", NOW_MS - 30_000));
        assertEquals("running", UiStatus.task(task(NOW_S - 60), started, List.of(), NOW_MS).get(0).status());
        UiStatus.TaskAttempt silent = UiStatus.task(task(NOW_S - 61), started, List.of(), NOW_MS).get(0);
        assertEquals("failed", silent.status());
        assertEquals((NOW_S - 61) * 1000, silent.finishedAt());
    }

    @Test
    void attemptSupersededByTheNextAttemptIsFailedAndOnlyATaskOkArtifactIsUnknown() {
        List<UiStatus.TaskAttempt> rows = UiStatus.task(task(NOW_S), List.of(
                meta("attempt", "0", NOW_MS - 9_000), meta("attempt", "1", NOW_MS - 5_000)), List.of(), NOW_MS);
        assertEquals("running", rows.get(0).status());
        assertEquals("failed", rows.get(1).status());
        assertEquals(NOW_MS - 5_000, rows.get(1).finishedAt());

        UiStatus.TaskAttempt unknown = UiStatus.task(task(NOW_S), List.of(meta("attempt", "0", NOW_MS - 9_000)),
                List.of(taskOk(0, NOW_MS - 2_000)), NOW_MS).get(0);
        assertEquals("unknown", unknown.status());
        assertEquals("loc0", unknown.taskOk());
    }
}

package dev.flowgate.metadata.ui;

import dev.flowgate.metadata.domain.Artifact;
import dev.flowgate.metadata.domain.MetadataEntry;
import dev.flowgate.metadata.domain.Run;
import dev.flowgate.metadata.domain.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Run and task status as the Metaflow UI backend derives them from heartbeats, attempt metadata and the
 * {@code _task_ok} artifact (facts: metaflow-service {@code services/ui_backend_service/data/db/tables/run.py},
 * the {@code end_attempt_ok}/{@code end_attempt} joins and the finished_at/status/duration columns;
 * {@code tables/task.py}, the per-attempt join and its columns; cut-offs from {@code tables/base.py}).
 * Plain functions of the rows and "now"; no I/O.
 */
public final class UiStatus {
    /** A run whose heartbeat is older than this is no longer running (reference: RUN_INACTIVE_CUTOFF_TIME, s). */
    public static final long RUN_INACTIVE_SECONDS = 6 * 60;
    /** A task whose heartbeat is older than this has failed (reference: HEARTBEAT_THRESHOLD = 6 × WAIT_TIME, s). */
    public static final long TASK_HEARTBEAT_THRESHOLD_SECONDS = 60;
    /** Without any heartbeat, an object this old is given up on (reference: OLD_RUN_FAILURE_CUTOFF_TIME, ms). */
    public static final long OLD_FAILURE_CUTOFF_MS = 24L * 60 * 60 * 1000;

    private UiStatus() {
    }

    /** What the UI shows for a run: status and times in epoch ms (null where the reference gives NULL). */
    public record RunState(String status, Long finishedAt, Long duration) {
    }

    /** One attempt of a task, as the UI lists it. */
    public record TaskAttempt(int attemptId, Long startedAt, Long finishedAt, Boolean attemptOk, String taskOk,
                              String status, Long duration) {
    }

    /** @param endMetadata the metadata rows of the run's {@code end} step (any order) */
    public static RunState run(Run run, List<MetadataEntry> endMetadata, long nowMs) {
        MetadataEntry endOk = latest(endMetadata, "attempt_ok");
        Boolean endOkValue = endOk == null ? null : bool(endOk.value());
        MetadataEntry endAttempt = Boolean.FALSE.equals(endOkValue) ? latest(endMetadata, "attempt") : null;
        Long heartbeat = run.lastHeartbeatTs();
        boolean retrying = endAttempt != null && endOk.tsEpoch() < endAttempt.tsEpoch();
        boolean beating = heartbeat != null && Math.abs(nowMs / 1000.0 - heartbeat) <= RUN_INACTIVE_SECONDS;

        String status;
        Long finishedAt;
        if (retrying) {
            status = "running";
            finishedAt = null;
        } else if (endOk != null) {
            status = Boolean.TRUE.equals(endOkValue) ? "completed" : "failed";
            finishedAt = endOk.tsEpoch();
        } else if (beating) {
            status = "running";
            finishedAt = null;
        } else {
            status = "failed";
            finishedAt = heartbeat == null ? null : heartbeat * 1000;
        }

        Long duration;
        if (retrying && heartbeat != null) {
            duration = heartbeat * 1000 - run.tsEpoch();
        } else if (endOk != null) {
            duration = endOk.tsEpoch() - run.tsEpoch();
        } else if (heartbeat != null) {
            duration = heartbeat * 1000 - run.tsEpoch();
        } else if (Math.abs(nowMs - run.tsEpoch()) > OLD_FAILURE_CUTOFF_MS) {
            duration = null;
        } else {
            duration = Math.abs(nowMs - run.tsEpoch());
        }
        return new RunState(status, finishedAt, duration);
    }

    /**
     * Every attempt of one task, newest first; a task with no attempt record yet gives one row, attempt 0.
     *
     * @param metadata  the task's metadata rows ({@code attempt}, {@code attempt-done}, {@code attempt_ok} matter)
     * @param artifacts the task's artifacts ({@code _task_ok} matters)
     */
    public static List<TaskAttempt> task(Task task, List<MetadataEntry> metadata, List<Artifact> artifacts, long nowMs) {
        Map<Integer, Acc> attempts = new TreeMap<>(Comparator.reverseOrder());
        Map<Integer, Long> attemptStarts = new TreeMap<>();
        for (MetadataEntry entry : metadata) {
            switch (entry.fieldName()) {
                case "attempt" -> {
                    Integer id = integer(entry.value());
                    if (id != null) {
                        attempts.computeIfAbsent(id, k -> new Acc()).started(entry.tsEpoch());
                        attemptStarts.merge(id, entry.tsEpoch(), Math::min);
                    }
                }
                case "attempt-done" -> {
                    Integer id = integer(entry.value());
                    if (id != null) {
                        attempts.computeIfAbsent(id, k -> new Acc()).attemptFinished(entry.tsEpoch());
                    }
                }
                case "attempt_ok" -> {
                    Integer id = attemptTag(entry.tags());
                    if (id != null) {
                        Acc acc = attempts.computeIfAbsent(id, k -> new Acc());
                        acc.attemptFinished(entry.tsEpoch());
                        acc.ok(entry.value());
                    }
                }
                default -> {
                }
            }
        }
        for (Artifact artifact : artifacts) {
            if ("_task_ok".equals(artifact.name())) {
                attempts.computeIfAbsent(artifact.attemptId(), k -> new Acc())
                        .taskOk(artifact.tsEpoch(), artifact.location());
            }
        }
        Long heartbeat = task.lastHeartbeatTs();
        List<TaskAttempt> rows = new ArrayList<>();
        if (attempts.isEmpty()) {
            rows.add(attempt(task, 0, null, null, heartbeat, nowMs));
        }
        attempts.forEach((id, acc) -> rows.add(attempt(task, id, acc, attemptStarts.get(id + 1), heartbeat, nowMs)));
        return rows;
    }

    private static TaskAttempt attempt(Task task, int id, Acc acc, Long nextStart, Long heartbeat, long nowMs) {
        Long started = acc == null ? null : acc.startedAt;
        Long attemptFinished = acc == null ? null : acc.attemptFinishedAt;
        Long taskOkFinished = acc == null ? null : acc.taskOkFinishedAt;
        String taskOkOutcome = acc == null ? null : acc.attemptOk;
        Boolean attemptOk = taskOkOutcome == null ? null : Boolean.valueOf(taskOkOutcome.equalsIgnoreCase("true"));
        Long done = greatest(attemptFinished, taskOkFinished);
        Long doneOrNext = done != null ? done : nextStart;
        long startedOrCreated = started != null ? started : task.tsEpoch();
        boolean heartbeatStale = heartbeat != null && Math.abs(nowMs / 1000.0 - heartbeat) > TASK_HEARTBEAT_THRESHOLD_SECONDS;
        boolean silentTooLong = heartbeat == null && Math.abs(nowMs - startedOrCreated) > OLD_FAILURE_CUTOFF_MS;

        Long finishedAt = doneOrNext == null && heartbeatStale ? Long.valueOf(heartbeat * 1000) : doneOrNext;
        String status;
        if (Boolean.TRUE.equals(attemptOk)) {
            status = "completed";
        } else if (Boolean.FALSE.equals(attemptOk)) {
            status = "failed";
        } else if (done != null) {
            status = "unknown"; // finished, outcome only in the _task_ok artifact's content (the reference reads it later)
        } else if (nextStart != null) {
            status = "failed";
        } else if (heartbeatStale || silentTooLong) {
            status = "failed";
        } else if (heartbeat == null && acc == null) {
            status = "pending";
        } else {
            status = "running";
        }
        Long duration;
        if (silentTooLong && done == null || heartbeat == null && acc == null) {
            duration = null;
        } else {
            long end = done != null ? done : nextStart != null ? nextStart
                    : heartbeat != null ? heartbeat * 1000 : nowMs;
            duration = end - startedOrCreated;
        }
        String taskOk = attemptOk != null || acc == null ? null : acc.taskOkLocation;
        return new TaskAttempt(id, started, finishedAt, attemptOk, taskOk, status, duration);
    }

    private static final class Acc {
        Long startedAt;
        Long attemptFinishedAt;
        Long taskOkFinishedAt;
        String taskOkLocation;
        String attemptOk;

        void started(long ts) {
            startedAt = greatest(startedAt, ts);
        }

        void attemptFinished(long ts) {
            attemptFinishedAt = greatest(attemptFinishedAt, ts);
        }

        void taskOk(long ts, String location) {
            taskOkFinishedAt = greatest(taskOkFinishedAt, ts);
            if (location != null && (taskOkLocation == null || location.compareTo(taskOkLocation) > 0)) {
                taskOkLocation = location;
            }
        }

        /** The reference takes max() of the text values: "True" > "False". */
        void ok(String value) {
            String normalized = bool(value) == null ? null : bool(value).toString();
            if (normalized != null && (attemptOk == null || normalized.equals("true"))) {
                attemptOk = normalized;
            }
        }
    }

    static MetadataEntry latest(List<MetadataEntry> rows, String field) {
        MetadataEntry latest = null;
        for (MetadataEntry row : rows) {
            if (field.equals(row.fieldName()) && (latest == null || row.tsEpoch() > latest.tsEpoch())) {
                latest = row;
            }
        }
        return latest;
    }

    /** The attempt a metadata row belongs to, from its {@code attempt_id:N} tag (null without one). */
    static Integer attemptTag(List<String> tags) {
        for (String tag : tags) {
            if (tag.startsWith("attempt_id:")) {
                return integer(tag.substring("attempt_id:".length()));
            }
        }
        return null;
    }

    private static Boolean bool(String value) {
        if (value == null) {
            return null;
        }
        String v = strip(value).toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true", "t", "1", "yes", "y", "on" -> Boolean.TRUE;
            case "false", "f", "0", "no", "n", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static Integer integer(String value) {
        if (value == null) {
            return null;
        }
        String v = strip(value);
        return v.matches("\\d{1,9}") ? Integer.valueOf(v) : null;
    }

    /** Values posted as JSON (e.g. {@code "0"} or {@code ["0"]}) are stored as their text; take the scalar. */
    private static String strip(String value) {
        String v = value.trim();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1).trim();
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return v.trim();
    }

    private static Long greatest(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Long.valueOf(Math.max(a, b));
    }
}

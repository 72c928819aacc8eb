package dev.flowgate.metadata.ui;

import dev.flowgate.metadata.domain.Artifact;
import dev.flowgate.metadata.domain.Flow;
import dev.flowgate.metadata.domain.MetadataEntry;
import dev.flowgate.metadata.domain.MetadataException;
import dev.flowgate.metadata.domain.Run;
import dev.flowgate.metadata.domain.Step;
import dev.flowgate.metadata.domain.Task;
import dev.flowgate.metadata.domain.TaskKey;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.naming.ObjectId;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read side of the Metaflow UI backend over the metadata store: rows shaped as the reference serves them
 * ({@code services/ui_backend_service/data/db/models/*_row.py}, {@code serialize(expanded=True)}, which every
 * {@code find_records} call in {@code api/utils.py} asks for), with status, finished_at and duration derived by
 * {@link UiStatus}. Only the store's existing Queries/GetItems; lists are filtered, ordered and paged here.
 */
public final class UiReadService {
    static final Set<String> FLOW_FIELDS = Set.of("flow_id", "user_name", "ts_epoch", "tags", "system_tags");
    static final Set<String> RUN_FIELDS = Set.of("flow_id", "run_number", "run_id", "user_name", "user", "run",
            "status", "ts_epoch", "finished_at", "duration", "last_heartbeat_ts");
    static final Set<String> STEP_FIELDS = Set.of("flow_id", "run_number", "run_id", "step_name", "user_name",
            "ts_epoch", "duration");
    static final Set<String> TASK_FIELDS = Set.of("flow_id", "run_number", "run_id", "step_name", "task_id",
            "task_name", "user_name", "status", "ts_epoch", "started_at", "finished_at", "duration", "attempt_id",
            "last_heartbeat_ts");
    static final Set<String> METADATA_FIELDS = Set.of("id", "flow_id", "run_number", "run_id", "step_name",
            "task_id", "task_name", "attempt_id", "field_name", "value", "type", "user_name", "ts_epoch");
    static final Set<String> ARTIFACT_FIELDS = Set.of("flow_id", "run_number", "run_id", "step_name", "task_id",
            "task_name", "name", "location", "ds_type", "sha", "type", "content_type", "user_name", "attempt_id",
            "ts_epoch");
    static final Set<String> DERIVED_RUN_FIELDS = Set.of("status", "finished_at", "duration");
    private static final UiQuery.Order NEWEST_ATTEMPT = new UiQuery.Order("attempt_id", true);

    private final MetadataStore store;
    private final Clock clock;

    public UiReadService(MetadataStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public UiQuery.Page flows(Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, FLOW_FIELDS);
        List<Map<String, Object>> rows = store.flows().stream().map(UiReadService::flowRow).toList();
        return parsed.apply(rows, List.of(), byString("flow_id"));
    }

    public Map<String, Object> flow(String flowId) {
        return flowRow(store.flow(flowName(flowId)).orElseThrow(() -> notFound("flow " + flowId)));
    }

    /** Runs of one flow; status is derived for every run (one Query of its end step's metadata each). */
    public UiQuery.Page runs(String flowId, Map<String, String> query) {
        String flow = flowName(flowId);
        UiQuery parsed = UiQuery.parse(query, RUN_FIELDS);
        if (store.flow(flow).isEmpty()) {
            throw notFound("flow " + flowId);
        }
        return runPage(store.runs(flow), query, parsed);
    }

    /**
     * Runs across flows (the UI's home page): one Query of the flows index, then one Query of runs per flow
     * ({@code flow_id=} narrows that to the named flows). Never a Scan.
     */
    public UiQuery.Page allRuns(Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, RUN_FIELDS);
        List<String> flows = new ArrayList<>();
        String named = query.get("flow_id");
        if (named != null) {
            for (String f : named.split(",")) {
                if (!f.isBlank() && store.flow(f).isPresent()) {
                    flows.add(f);
                }
            }
        } else {
            store.flows().forEach(f -> flows.add(f.flowId()));
        }
        List<Run> runs = new ArrayList<>();
        flows.forEach(f -> runs.addAll(store.runs(f)));
        return runPage(runs, query, parsed);
    }

    public Map<String, Object> run(String flowId, String runId) {
        return runRow(requireRun(flowId, runId));
    }

    public UiQuery.Page steps(String flowId, String runId, Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, STEP_FIELDS);
        Run run = requireRun(flowId, runId);
        List<MetadataEntry> metadata = store.metadata(run.flowId(), run.number(), null);
        List<Artifact> artifacts = store.artifacts(run.flowId(), run.number(), null);
        Map<String, List<Task>> tasksByStep = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Step step : store.steps(run.flowId(), run.number())) {
            List<Task> tasks = tasksByStep.computeIfAbsent(step.stepName(),
                    s -> store.tasks(run.flowId(), run.number(), s));
            rows.add(stepRow(step, run, metadata, artifacts, tasks));
        }
        return parsed.apply(rows, List.of(), byString("step_name"));
    }

    public Map<String, Object> step(String flowId, String runId, String stepName) {
        Run run = requireRun(flowId, runId);
        Step step = store.step(run.flowId(), run.number(), stepName)
                .orElseThrow(() -> notFound("step " + flowId + "/" + runId + "/" + stepName));
        return stepRow(step, run, store.metadata(run.flowId(), run.number(), stepName),
                store.artifacts(run.flowId(), run.number(), stepName), store.tasks(run.flowId(), run.number(), stepName));
    }

    /** One row per task attempt, newest attempt first (the reference's initial order), then {@code _order}. */
    public UiQuery.Page tasks(String flowId, String runId, String stepName, Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, TASK_FIELDS);
        Run run = requireRun(flowId, runId);
        if (store.step(run.flowId(), run.number(), stepName).isEmpty()) {
            throw notFound("step " + flowId + "/" + runId + "/" + stepName);
        }
        List<MetadataEntry> metadata = store.metadata(run.flowId(), run.number(), stepName);
        List<Artifact> artifacts = store.artifacts(run.flowId(), run.number(), stepName);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Task task : store.tasks(run.flowId(), run.number(), stepName)) {
            rows.addAll(taskRows(task, run, ofTask(metadata, task.key()), ofTaskArtifacts(artifacts, task.key())));
        }
        return parsed.apply(rows, List.of(NEWEST_ATTEMPT), byLong("task_id"));
    }

    /**
     * Every task attempt of a run (the UI's timeline): steps, then each step's tasks, plus the run's metadata and
     * artifacts (reference {@code api/task.py get_run_tasks}: no initial order, only {@code _order}).
     */
    public UiQuery.Page runTasks(String flowId, String runId, Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, TASK_FIELDS);
        Run run = requireRun(flowId, runId);
        List<MetadataEntry> metadata = store.metadata(run.flowId(), run.number(), null);
        List<Artifact> artifacts = store.artifacts(run.flowId(), run.number(), null);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Step step : store.steps(run.flowId(), run.number())) {
            for (Task task : store.tasks(run.flowId(), run.number(), step.stepName())) {
                rows.addAll(taskRows(task, run, ofTask(metadata, task.key()), ofTaskArtifacts(artifacts, task.key())));
            }
        }
        return parsed.apply(rows, List.of(), byLong("ts_epoch").thenComparing(byLong("task_id"))
                .thenComparing(byLong("attempt_id").reversed()));
    }

    /** Every attempt of one task, newest first. */
    public UiQuery.Page taskAttempts(String flowId, String runId, String stepName, String taskId,
                                     Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, TASK_FIELDS);
        Run run = requireRun(flowId, runId);
        Task task = requireTask(run, stepName, taskId);
        return parsed.apply(taskRows(task, run, store.metadata(task.key()), store.artifacts(task.key())),
                List.of(NEWEST_ATTEMPT), byLong("task_id"));
    }

    /** The task's newest attempt. */
    public Map<String, Object> task(String flowId, String runId, String stepName, String taskId) {
        Run run = requireRun(flowId, runId);
        Task task = requireTask(run, stepName, taskId);
        return taskRows(task, run, store.metadata(task.key()), store.artifacts(task.key())).get(0);
    }

    public UiQuery.Page taskMetadata(String flowId, String runId, String stepName, String taskId,
                                     Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, METADATA_FIELDS);
        Run run = requireRun(flowId, runId);
        Task task = requireTask(run, stepName, taskId);
        List<Map<String, Object>> rows = store.metadata(task.key()).stream().map(m -> metadataRow(m, run, task)).toList();
        return parsed.apply(rows, List.of(), byLong("id").reversed());
    }

    /** Every attempt's artifacts, newest attempt first (reference: the artifact table's ordering). */
    public UiQuery.Page taskArtifacts(String flowId, String runId, String stepName, String taskId,
                                      Map<String, String> query) {
        UiQuery parsed = UiQuery.parse(query, ARTIFACT_FIELDS);
        Run run = requireRun(flowId, runId);
        Task task = requireTask(run, stepName, taskId);
        List<Map<String, Object>> rows = store.artifacts(task.key()).stream().map(a -> artifactRow(a, run, task)).toList();
        return parsed.apply(rows, List.of(NEWEST_ATTEMPT), byString("name"));
    }

    /**
     * Status costs one Query per run (its end step's metadata), so it is derived for the page only, unless the
     * request filters or orders on a derived field (status, finished_at, duration); then for every run.
     */
    private UiQuery.Page runPage(List<Run> runs, Map<String, String> query, UiQuery parsed) {
        boolean derivedEverywhere = query.keySet().stream().anyMatch(k -> DERIVED_RUN_FIELDS.contains(k.split(":", 2)[0]))
                || List.of(query.getOrDefault("_order", "").replace("+", "").replace("-", "").split(","))
                .stream().anyMatch(DERIVED_RUN_FIELDS::contains);
        Map<Map<String, Object>, Run> source = new IdentityHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> row = derivedEverywhere ? runRow(run) : baseRunRow(run);
            source.put(row, run);
            rows.add(row);
        }
        UiQuery.Page page = parsed.apply(rows, List.of(),
                byString("flow_id").thenComparing(byLong("run_number").reversed()));
        if (!derivedEverywhere) {
            page.rows().forEach(row -> derive(row, source.get(row)));
        }
        return page;
    }

    private long now() {
        return clock.millis();
    }

    static Map<String, Object> flowRow(Flow flow) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("flow_id", flow.flowId());
        row.put("user_name", flow.userName());
        row.put("ts_epoch", flow.tsEpoch());
        row.put("tags", flow.tags() == null ? List.of() : flow.tags());
        row.put("system_tags", flow.systemTags() == null ? List.of() : flow.systemTags());
        return row;
    }

    private Map<String, Object> runRow(Run run) {
        return derive(baseRunRow(run), run);
    }

    private Map<String, Object> derive(Map<String, Object> row, Run run) {
        UiStatus.RunState state = UiStatus.run(run, store.metadata(run.flowId(), run.number(), "end"), now());
        row.put("status", state.status());
        row.put("finished_at", state.finishedAt());
        row.put("duration", state.duration());
        return row;
    }

    /** The run row with status, finished_at and duration still null (in their places). */
    private static Map<String, Object> baseRunRow(Run run) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("flow_id", run.flowId());
        row.put("run_number", run.number());
        row.put("run_id", run.runId());
        row.put("user_name", run.userName());
        // reference: user is NULL unless the run carries the system tag user:<user_name> (Step Functions runs)
        row.put("user", run.systemTags().contains("user:" + run.userName()) ? run.userName() : null);
        row.put("run", run.exposedId().toString());
        row.put("status", null);
        row.put("ts_epoch", run.tsEpoch());
        row.put("finished_at", null);
        row.put("duration", null);
        row.put("last_heartbeat_ts", run.lastHeartbeatTs());
        row.put("tags", sorted(run.tags()));
        row.put("system_tags", sorted(run.systemTags()));
        return row;
    }

    private Map<String, Object> stepRow(Step step, Run run, List<MetadataEntry> metadata, List<Artifact> artifacts,
                                        List<Task> tasks) {
        Long done = null;
        for (Artifact a : artifacts) {
            if (a.key().stepName().equals(step.stepName()) && "_task_ok".equals(a.name())) {
                done = max(done, a.tsEpoch());
            }
        }
        for (MetadataEntry m : metadata) {
            if (m.key().stepName().equals(step.stepName())
                    && ("attempt_ok".equals(m.fieldName()) || "attempt-done".equals(m.fieldName()))) {
                done = max(done, m.tsEpoch());
            }
        }
        for (Task t : tasks) {
            if (t.lastHeartbeatTs() != null) {
                done = max(done, t.lastHeartbeatTs() * 1000);
            }
        }
        long age = Math.abs(now() - step.tsEpoch());
        Long duration = done != null ? Long.valueOf(done - step.tsEpoch())
                : age > UiStatus.OLD_FAILURE_CUTOFF_MS ? null : Long.valueOf(age);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("flow_id", step.flowId());
        row.put("run_number", run.number());
        row.put("run_id", run.runId());
        row.put("step_name", step.stepName());
        row.put("user_name", step.userName());
        row.put("ts_epoch", step.tsEpoch());
        row.put("duration", duration);
        row.put("tags", sorted(run.tags()));
        row.put("system_tags", sorted(run.systemTags()));
        return row;
    }

    private List<Map<String, Object>> taskRows(Task task, Run run, List<MetadataEntry> metadata, List<Artifact> artifacts) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UiStatus.TaskAttempt attempt : UiStatus.task(task, metadata, artifacts, now())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("flow_id", task.key().flowId());
            row.put("run_number", run.number());
            row.put("run_id", run.runId());
            row.put("step_name", task.key().stepName());
            row.put("task_id", task.key().taskNumber());
            row.put("task_name", task.taskName());
            row.put("user_name", task.userName());
            row.put("status", attempt.status());
            row.put("task_ok", attempt.taskOk());
            row.put("ts_epoch", task.tsEpoch());
            row.put("started_at", attempt.startedAt());
            row.put("finished_at", attempt.finishedAt());
            row.put("duration", attempt.duration());
            row.put("attempt_id", attempt.attemptId());
            row.put("tags", sorted(run.tags()));
            row.put("system_tags", sorted(run.systemTags()));
            row.put("last_heartbeat_ts", task.lastHeartbeatTs());
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Object> metadataRow(MetadataEntry m, Run run, Task task) {
        Integer attempt = UiStatus.attemptTag(m.tags());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", m.id());
        row.put("flow_id", m.key().flowId());
        row.put("run_number", run.number());
        row.put("run_id", run.runId());
        row.put("step_name", m.key().stepName());
        row.put("task_id", task.key().taskNumber());
        row.put("task_name", task.taskName());
        row.put("attempt_id", attempt == null ? 0 : attempt);
        row.put("field_name", m.fieldName());
        row.put("value", m.value());
        row.put("type", m.type());
        row.put("user_name", m.userName());
        row.put("ts_epoch", m.tsEpoch());
        row.put("tags", m.tags());
        row.put("system_tags", m.systemTags());
        return row;
    }

    private static Map<String, Object> artifactRow(Artifact a, Run run, Task task) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("flow_id", a.key().flowId());
        row.put("run_number", run.number());
        row.put("run_id", run.runId());
        row.put("step_name", a.key().stepName());
        row.put("task_id", task.key().taskNumber());
        row.put("task_name", task.taskName());
        row.put("name", a.name());
        row.put("location", a.location());
        row.put("ds_type", a.dsType());
        row.put("sha", a.sha());
        row.put("type", a.type());
        row.put("content_type", a.contentType());
        row.put("user_name", a.userName());
        row.put("attempt_id", a.attemptId());
        row.put("ts_epoch", a.tsEpoch());
        row.put("tags", sorted(run.tags()));
        row.put("system_tags", sorted(run.systemTags()));
        return row;
    }

    private Run requireRun(String flowId, String runId) {
        return store.run(flowName(flowId), ObjectId.parse("run_number", runId))
                .orElseThrow(() -> notFound("run " + flowId + "/" + runId));
    }

    private Task requireTask(Run run, String stepName, String taskId) {
        return store.task(run.flowId(), run.number(), stepName, ObjectId.parse("task_id", taskId))
                .orElseThrow(() -> notFound("task " + run.flowId() + "/" + run.exposedId() + "/" + stepName + "/" + taskId));
    }

    private static List<MetadataEntry> ofTask(List<MetadataEntry> rows, TaskKey key) {
        return rows.stream().filter(m -> m.key().equals(key)).toList();
    }

    private static List<Artifact> ofTaskArtifacts(List<Artifact> rows, TaskKey key) {
        return rows.stream().filter(a -> a.key().equals(key)).toList();
    }

    private static String flowName(String segment) {
        if (segment == null || segment.isBlank() || segment.length() > 255) {
            throw MetadataException.invalid("flow_id", "flow_id must be a flow name");
        }
        return segment;
    }

    private static MetadataException notFound(String what) {
        return MetadataException.notFound(what + " not found");
    }

    private static List<String> sorted(Set<String> tags) {
        List<String> list = new ArrayList<>(tags);
        list.sort(null);
        return list;
    }

    private static Long max(Long a, long b) {
        return a == null ? Long.valueOf(b) : Long.valueOf(Math.max(a, b));
    }

    private static Comparator<Map<String, Object>> byString(String field) {
        return Comparator.comparing(row -> String.valueOf(row.get(field)));
    }

    private static Comparator<Map<String, Object>> byLong(String field) {
        return Comparator.comparingLong(row -> row.get(field) instanceof Number n ? n.longValue() : 0L);
    }
}

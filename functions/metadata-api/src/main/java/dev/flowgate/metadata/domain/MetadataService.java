package dev.flowgate.metadata.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.naming.MetaflowNames;
import dev.flowgate.model.naming.ObjectId;
import dev.flowgate.model.naming.Tags;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Metaflow metadata service's behaviour, store-agnostic: validation, id rules (numbers vs registered
 * strings), run tags on descendants, latest-attempt artifact reads, heartbeats and tag mutation.
 * Arguments are raw path segments and request bodies; results are JSON-ready maps and lists.
 */
public final class MetadataService {
    /** Seconds between heartbeats the client is told to wait (and the write throttle). */
    public static final int HEARTBEAT_WAIT_SECONDS = 10;
    private static final int TAG_RETRIES = 5;
    /**
     * A Python identifier, as the client and the reference accept for flow ({@code class FlüßFlow}) and step names:
     * a Unicode letter or underscore, then letters, digits, combining marks and connector punctuation. Nothing
     * that can break a path or a key gets through: no {@code /}, {@code #}, whitespace, control or format
     * characters.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    private static final Pattern VERSION = Pattern.compile("(0|\\d+)(\\.(0|\\d+))*");

    private final MetadataStore store;
    private final Clock clock;
    private final TagTrustPolicy tagTrust;

    public MetadataService(MetadataStore store, Clock clock) {
        this(store, clock, TagTrustPolicy.defaults());
    }

    public MetadataService(MetadataStore store, Clock clock, TagTrustPolicy tagTrust) {
        this.store = store;
        this.clock = clock;
        this.tagTrust = tagTrust;
    }

    // ---------------------------------------------------------------- flows

    public Map<String, Object> createFlow(String flowSegment, String body) {
        String flowId = flowName(flowSegment);
        JsonNode json = Input.object(body);
        Flow flow = new Flow(flowId, Input.string(json, "user_name"), nowMillis(),
                Input.tagsOrNull(json, "tags"), Input.tagsOrNull(json, "system_tags"));
        store.createFlow(flow);
        return Views.flow(flow);
    }

    public Map<String, Object> flow(String flowSegment) {
        return Views.flow(store.flow(flowName(flowSegment))
                .orElseThrow(() -> MetadataException.notFound("flow " + flowSegment + " not found")));
    }

    public List<Map<String, Object>> flows() {
        return store.flows().stream().map(Views::flow).toList();
    }

    // ---------------------------------------------------------------- runs

    public Map<String, Object> createRun(String flowSegment, String body) {
        return createRun(flowSegment, body, Caller.UNKNOWN);
    }

    /**
     * Creates a run after the tag-trust checks ({@link TagTrustPolicy}); a run created with the gate tag records who
     * tagged it in the same write.
     */
    public Map<String, Object> createRun(String flowSegment, String body, Caller caller) {
        String flowId = flowName(flowSegment);
        JsonNode json = Input.object(body);
        String runId = Input.stringOrNumber(json, "run_number");
        if (runId != null) {
            if (ObjectId.isAllDigits(runId) || json.get("run_number").isNumber()) {
                throw MetadataException.invalid("run_number",
                        "run_number may not be numeric: numeric run numbers are allocated by the service");
            }
            MetaflowNames.requireObjectId("run_number", runId);
        }
        Set<String> systemTags = Input.tags(json, "system_tags");
        Set<String> tags = Tags.requireValidUserTagSet("tags", Input.tags(json, "tags"), null);
        String userName = Input.string(json, "user_name");
        tagTrust.checkSystemTags(systemTags, userName, caller);
        long now = nowMillis();
        GateTagging gate = null;
        if (tags.contains(Tags.PROD_READY)) {
            tagTrust.checkGateTagger("tags", caller);
            gate = GateTagging.of(caller, userName, now, GateTagging.VIA_RUN_CREATION);
        }
        Run run = store.createRun(new NewRun(flowId, runId, userName, now, tags, systemTags,
                heartbeatCapable(systemTags) ? now / 1000 : null, gate));
        return Views.run(run);
    }

    public Map<String, Object> run(String flowSegment, String runSegment) {
        return Views.run(requireRun(flowSegment, runSegment));
    }

    /** Flowgate's own view of a run's gate tag: who first added {@code prod_ready} and when (404 if nobody did). */
    public Map<String, Object> gateTagging(String flowSegment, String runSegment) {
        Run run = requireRun(flowSegment, runSegment);
        GateTagging gate = run.gate().orElseThrow(() -> MetadataException.notFound("run " + flowSegment + "/"
                + runSegment + " has no record of the tag '" + Tags.PROD_READY + "' being added"));
        return Views.gateTagging(run, gate);
    }

    public List<Map<String, Object>> runs(String flowSegment) {
        return store.runs(flowName(flowSegment)).stream().map(Views::run).toList();
    }

    /**
     * A numeric path needs no lookup: the conditional write itself tells a missing run; a string id is resolved to
     * its number without reading the run item (no read of the run per beat).
     */
    public Heartbeat heartbeatRun(String flowSegment, String runSegment) {
        String flowId = flowName(flowSegment);
        ObjectId runId = ObjectId.parse("run_number", runSegment);
        Optional<Long> number = store.runNumber(flowId, runId);
        if (number.isEmpty()) {
            return Heartbeat.MISSING;
        }
        long now = nowSeconds();
        return store.heartbeatRun(flowId, number.get(), now, now - HEARTBEAT_WAIT_SECONDS);
    }

    /** PATCH tag/mutate: remove, then add; system tags can be neither removed nor added as user tags. */
    public Map<String, Object> mutateRunTags(String flowSegment, String runSegment, String body) {
        return mutateRunTags(flowSegment, runSegment, body, Caller.UNKNOWN);
    }

    /**
     * As {@link #mutateRunTags(String, String, String)}; adding the gate tag to a run that does not carry it checks
     * the gate taggers and records who added it, in the same write as the tag.
     */
    public Map<String, Object> mutateRunTags(String flowSegment, String runSegment, String body, Caller caller) {
        JsonNode json = Input.object(body);
        Set<String> add = Input.tags(json, "tags_to_add");
        Set<String> remove = Input.tags(json, "tags_to_remove");
        for (int attempt = 0; ; attempt++) {
            Run run = requireRun(flowSegment, runSegment);
            for (String tag : remove) {
                if (run.systemTags().contains(tag)) {
                    throw MetadataException.unprocessable("tags_to_remove",
                            "cannot remove system tag '" + tag + "' from the run: system tags are fixed");
                }
            }
            Set<String> effectiveAdd = new LinkedHashSet<>(add);
            effectiveAdd.removeAll(run.systemTags());
            Set<String> effectiveRemove = new LinkedHashSet<>(remove);
            effectiveRemove.removeAll(effectiveAdd);
            Set<String> result = new LinkedHashSet<>(run.tags());
            result.removeAll(effectiveRemove);
            result.addAll(effectiveAdd);
            Tags.requireValidUserTagSet("tags_to_add", result, run.tags());
            if (result.equals(run.tags())) {
                return Map.of("tags", Views.sorted(result));
            }
            GateTagging gate = null;
            if (effectiveAdd.contains(Tags.PROD_READY) && !run.tags().contains(Tags.PROD_READY)) {
                tagTrust.checkGateTagger("tags_to_add", caller);
                gate = GateTagging.of(caller, null, nowMillis(), GateTagging.VIA_TAG_MUTATION);
            }
            Optional<Set<String>> written;
            if (effectiveRemove.isEmpty() || !intersects(effectiveRemove, run.tags())) {
                written = store.addRunTags(run.flowId(), run.number(), effectiveAdd, gate);
            } else if (effectiveAdd.isEmpty()) {
                written = store.removeRunTags(run.flowId(), run.number(), effectiveRemove);
            } else {
                written = store.replaceRunTags(run.flowId(), run.number(), result, run.version(), gate)
                        ? Optional.of(result) : Optional.empty();
                if (written.isEmpty()) {
                    if (attempt + 1 >= TAG_RETRIES) {
                        throw MetadataException.conflict("Conflicting concurrent tag mutation, please retry");
                    }
                    continue;
                }
            }
            return Map.of("tags", Views.sorted(written.orElseThrow(
                    () -> MetadataException.notFound("run " + flowSegment + "/" + runSegment + " not found"))));
        }
    }

    // ---------------------------------------------------------------- steps

    public Map<String, Object> createStep(String flowSegment, String runSegment, String stepSegment, String body) {
        return createStep(flowSegment, runSegment, stepSegment, body, Caller.UNKNOWN);
    }

    public Map<String, Object> createStep(String flowSegment, String runSegment, String stepSegment, String body,
                                          Caller caller) {
        String stepName = stepName(stepSegment);
        JsonNode json = Input.object(body);
        Run run = requireRun(flowSegment, runSegment);
        checkDescendantSystemTags(json, run, caller);
        Step step = new Step(run.flowId(), run.number(), stepName, Input.string(json, "user_name"), nowMillis());
        store.createStep(step);
        return Views.step(step, run);
    }

    public Map<String, Object> step(String flowSegment, String runSegment, String stepSegment) {
        String stepName = stepName(stepSegment);
        Run run = requireRun(flowSegment, runSegment);
        Step step = store.step(run.flowId(), run.number(), stepName)
                .orElseThrow(() -> MetadataException.notFound("step " + stepName + " not found"));
        return Views.step(step, run);
    }

    public List<Map<String, Object>> steps(String flowSegment, String runSegment) {
        Optional<Run> run = findRun(flowSegment, runSegment);
        if (run.isEmpty()) {
            return List.of();
        }
        return store.steps(run.get().flowId(), run.get().number()).stream().map(s -> Views.step(s, run.get())).toList();
    }

    // ---------------------------------------------------------------- tasks

    public Map<String, Object> createTask(String flowSegment, String runSegment, String stepSegment, String body) {
        return createTask(flowSegment, runSegment, stepSegment, body, Caller.UNKNOWN);
    }

    public Map<String, Object> createTask(String flowSegment, String runSegment, String stepSegment, String body,
                                          Caller caller) {
        String stepName = stepName(stepSegment);
        JsonNode json = Input.object(body);
        String taskName = Input.stringOrNumber(json, "task_id");
        if (taskName != null) {
            if (ObjectId.isAllDigits(taskName) || json.get("task_id").isNumber()) {
                throw MetadataException.invalid("task_id", "provided task_name may not be a numeric");
            }
            MetaflowNames.requireObjectId("task_id", taskName);
        }
        Run run = requireRun(flowSegment, runSegment);
        checkDescendantSystemTags(json, run, caller);
        long now = nowMillis();
        Long heartbeat = heartbeatCapable(Input.tags(json, "system_tags")) ? now / 1000 : null;
        Task task = store.createTask(new NewTask(run.flowId(), run.number(), stepName, taskName,
                Input.string(json, "user_name"), now, heartbeat));
        return Views.task(task, run);
    }

    public Map<String, Object> task(String flowSegment, String runSegment, String stepSegment, String taskSegment) {
        Run run = requireRun(flowSegment, runSegment);
        return Views.task(requireTask(run, stepSegment, taskSegment), run);
    }

    public List<Map<String, Object>> tasks(String flowSegment, String runSegment, String stepSegment) {
        String stepName = stepName(stepSegment);
        Optional<Run> run = findRun(flowSegment, runSegment);
        if (run.isEmpty()) {
            return List.of();
        }
        return store.tasks(run.get().flowId(), run.get().number(), stepName).stream()
                .map(t -> Views.task(t, run.get())).toList();
    }

    public Heartbeat heartbeatTask(String flowSegment, String runSegment, String stepSegment, String taskSegment) {
        String stepName = stepName(stepSegment);
        String flowId = flowName(flowSegment);
        ObjectId runId = ObjectId.parse("run_number", runSegment);
        ObjectId taskId = ObjectId.parse("task_id", taskSegment);
        long now = nowSeconds();
        if (runId.isNumber() && taskId.isNumber()) {
            return store.heartbeatTask(new TaskKey(flowId, runId.number(), stepName, taskId.number()), now,
                    now - HEARTBEAT_WAIT_SECONDS);
        }
        Optional<Long> runNumber = store.runNumber(flowId, runId);
        if (runNumber.isEmpty()) {
            return Heartbeat.MISSING;
        }
        Optional<Task> task = store.task(flowId, runNumber.get(), stepName, taskId);
        if (task.isEmpty()) {
            return Heartbeat.MISSING;
        }
        return store.heartbeatTask(task.get().key(), now, now - HEARTBEAT_WAIT_SECONDS);
    }

    /** Task pathspecs of a step whose metadata has {@code fieldName} with a value matching {@code pattern}. */
    public List<String> filteredTasks(String flowSegment, String runSegment, String stepSegment,
                                      String fieldName, String pattern) {
        String stepName = stepName(stepSegment);
        Pattern regex = null;
        if (pattern != null) {
            try {
                regex = Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw MetadataException.invalid("pattern", "pattern is not a valid regular expression: " + e.getDescription());
            }
        }
        Optional<Run> run = findRun(flowSegment, runSegment);
        if (run.isEmpty()) {
            return List.of();
        }
        Map<Long, String> byTask = new TreeMap<>();
        List<MetadataEntry> rows = fieldName == null ? store.metadata(run.get().flowId(), run.get().number(), stepName)
                : store.metadata(run.get().flowId(), run.get().number(), stepName, fieldName);
        for (MetadataEntry entry : rows) {
            if (fieldName != null && !fieldName.equals(entry.fieldName())) {
                continue;
            }
            if (regex != null) {
                Matcher matcher = regex.matcher(entry.value() == null ? "" : entry.value());
                if (!matcher.find()) {
                    continue;
                }
            }
            byTask.putIfAbsent(entry.key().taskNumber(), entry.key().flowId() + "/" + entry.runId() + "/"
                    + entry.key().stepName() + "/" + entry.taskId());
        }
        return List.copyOf(byTask.values());
    }

    // ---------------------------------------------------------------- artifacts

    public Map<String, Object> addArtifacts(String flowSegment, String runSegment, String stepSegment,
                                            String taskSegment, String body) {
        List<JsonNode> items = Input.array(body);
        RunRef run = findRunRef(flowSegment, runSegment).orElseThrow(MetadataService::registerFirst);
        Task task = findTask(run.flowId(), run.number(), stepSegment, taskSegment).orElseThrow(MetadataService::registerFirst);
        long now = nowMillis();
        List<Artifact> artifacts = new ArrayList<>();
        for (JsonNode item : items) {
            String name = Input.stringOr(item, "name", " ");
            int attempt = Input.integer(item, "attempt_id", 0);
            artifacts.add(new Artifact(task.key(), run.exposedId(), task.exposedId(), attempt, name,
                    Input.stringOr(item, "location", " "), Input.stringOr(item, "ds_type", " "),
                    Input.stringOr(item, "sha", " "), Input.stringOr(item, "type", " "),
                    Input.stringOr(item, "content_type", " "), Input.stringOr(item, "user_name", " "), now));
        }
        int created = artifacts.isEmpty() ? 0 : store.putArtifacts(artifacts);
        return Map.of("artifacts_created", created);
    }

    /** A task's artifacts: of {@code attempt} when given, else of the task's latest attempt. */
    public List<Map<String, Object>> artifacts(String flowSegment, String runSegment, String stepSegment,
                                               String taskSegment, String attemptSegment) {
        Integer attempt = attempt(attemptSegment);
        Optional<Run> run = findRun(flowSegment, runSegment);
        Optional<Task> task = run.flatMap(r -> findTask(r, stepSegment, taskSegment));
        if (task.isEmpty()) {
            return List.of();
        }
        List<Artifact> all = store.artifacts(task.get().key());
        List<Artifact> selected = attempt != null
                ? all.stream().filter(a -> a.attemptId() == attempt).toList()
                : latestAttemptPerTask(all);
        return selected.stream().sorted(Comparator.comparing(Artifact::name)).map(a -> Views.artifact(a, run.get())).toList();
    }

    /**
     * One artifact: of {@code attempt} when given; else of the latest attempt, found through the artifact
     * called {@code name} that every attempt writes.
     */
    public Map<String, Object> artifact(String flowSegment, String runSegment, String stepSegment,
                                        String taskSegment, String name, String attemptSegment) {
        Integer attempt = attempt(attemptSegment);
        Run run = requireRun(flowSegment, runSegment);
        Task task = requireTask(run, stepSegment, taskSegment);
        List<Artifact> all = store.artifacts(task.key());
        int wanted = attempt != null ? attempt : all.stream().filter(a -> a.name().equals("name"))
                .mapToInt(Artifact::attemptId).max().orElse(-1);
        return all.stream().filter(a -> a.attemptId() == wanted && a.name().equals(name)).findFirst()
                .map(a -> Views.artifact(a, run))
                .orElseThrow(() -> MetadataException.notFound("artifact " + name + " not found"));
    }

    /** Artifacts of a whole step (or run, when stepSegment is null), latest attempt of each task. */
    public List<Map<String, Object>> artifacts(String flowSegment, String runSegment, String stepSegment) {
        String stepName = stepSegment == null ? null : stepName(stepSegment);
        Optional<Run> run = findRun(flowSegment, runSegment);
        if (run.isEmpty()) {
            return List.of();
        }
        return latestAttemptPerTask(store.artifacts(run.get().flowId(), run.get().number(), stepName)).stream()
                .map(a -> Views.artifact(a, run.get())).toList();
    }

    // ---------------------------------------------------------------- metadata

    public Map<String, Object> addMetadata(String flowSegment, String runSegment, String stepSegment,
                                           String taskSegment, String body) {
        List<JsonNode> items = Input.array(body);
        RunRef run = findRunRef(flowSegment, runSegment).orElseThrow(MetadataService::registerFirst);
        Task task = findTask(run.flowId(), run.number(), stepSegment, taskSegment).orElseThrow(MetadataService::registerFirst);
        long now = nowMillis();
        List<MetadataEntry> entries = new ArrayList<>();
        for (JsonNode item : items) {
            entries.add(new MetadataEntry(task.key(), run.exposedId(), task.exposedId(), 0,
                    Input.stringOr(item, "field_name", " "), Input.text(item, "value", " "),
                    Input.stringOr(item, "type", " "), Input.stringOr(item, "user_name", " "), now,
                    List.copyOf(Input.tags(item, "tags")), List.copyOf(Input.tags(item, "system_tags"))));
        }
        int created = entries.isEmpty() ? 0 : store.addMetadata(task.key(), entries);
        return Map.of("metadata_created", created);
    }

    public List<Map<String, Object>> metadata(String flowSegment, String runSegment, String stepSegment,
                                              String taskSegment) {
        Optional<Run> run = findRun(flowSegment, runSegment);
        Optional<Task> task = run.flatMap(r -> findTask(r, stepSegment, taskSegment));
        if (task.isEmpty()) {
            return List.of();
        }
        return store.metadata(task.get().key()).stream().map(Views::metadata).toList();
    }

    public List<Map<String, Object>> runMetadata(String flowSegment, String runSegment) {
        Optional<Run> run = findRun(flowSegment, runSegment);
        if (run.isEmpty()) {
            return List.of();
        }
        return store.metadata(run.get().flowId(), run.get().number(), null).stream()
                .sorted(Comparator.comparingLong(MetadataEntry::tsEpoch).thenComparingLong(MetadataEntry::id).reversed())
                .map(Views::metadata).toList();
    }

    // ---------------------------------------------------------------- helpers

    /** Steps and tasks: the same system-tag rules, with the run's user_name when the body names none. */
    private void checkDescendantSystemTags(JsonNode json, Run run, Caller caller) {
        String userName = Input.string(json, "user_name");
        tagTrust.checkSystemTags(Input.tags(json, "system_tags"), userName != null ? userName : run.userName(), caller);
    }

    /**
     * Whether the client that sent these system tags sends heartbeats: metaflow_version >= 2.2.12, or
     * 1.14.0 <= version < 2; unparseable versions count as capable (as the reference decides).
     */
    static boolean heartbeatCapable(Set<String> systemTags) {
        String tag = systemTags.stream().filter(t -> t.startsWith("metaflow_version:")).findFirst().orElse(null);
        if (tag == null) {
            return false;
        }
        Matcher matcher = VERSION.matcher(tag.substring("metaflow_version:".length()));
        if (!matcher.lookingAt()) {
            return true;
        }
        String[] parts = matcher.group().split("\\.");
        int[] version = new int[3];
        try {
            for (int i = 0; i < Math.min(3, parts.length); i++) {
                version[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            return true;
        }
        if (version[0] == 1) {
            return compare(version, 1, 14, 0) >= 0;
        }
        return compare(version, 2, 2, 12) >= 0;
    }

    private static int compare(int[] v, int major, int minor, int patch) {
        if (v[0] != major) {
            return Integer.compare(v[0], major);
        }
        if (v[1] != minor) {
            return Integer.compare(v[1], minor);
        }
        return Integer.compare(v[2], patch);
    }

    private static List<Artifact> latestAttemptPerTask(List<Artifact> artifacts) {
        Map<Long, Integer> latest = new HashMap<>();
        for (Artifact a : artifacts) {
            latest.merge(a.key().taskNumber(), a.attemptId(), Math::max);
        }
        return artifacts.stream().filter(a -> a.attemptId() == latest.get(a.key().taskNumber())).toList();
    }

    private static boolean intersects(Set<String> a, Set<String> b) {
        for (String s : a) {
            if (b.contains(s)) {
                return true;
            }
        }
        return false;
    }

    private static MetadataException registerFirst() {
        return MetadataException.invalid("task_id", "need to register run_id and task_id first");
    }

    private Run requireRun(String flowSegment, String runSegment) {
        return findRun(flowSegment, runSegment).orElseThrow(() ->
                MetadataException.notFound("run " + flowSegment + "/" + runSegment + " not found"));
    }

    private Optional<Run> findRun(String flowSegment, String runSegment) {
        String flowId = flowName(flowSegment);
        return store.run(flowId, ObjectId.parse("run_number", runSegment));
    }

    /** What a write below the run needs of it: its key and the id Metaflow sees. */
    private record RunRef(String flowId, long number, ObjectId exposedId) {
    }

    /**
     * The run of a write below it (metadata, artifacts). A string id is its own exposed id and resolves to the
     * number without reading the run item (the task lookup that follows proves the run exists): 10,000 tasks
     * posting metadata do not all read the one run item. A number needs the run, for its registered string id.
     */
    private Optional<RunRef> findRunRef(String flowSegment, String runSegment) {
        String flowId = flowName(flowSegment);
        ObjectId runId = ObjectId.parse("run_number", runSegment);
        if (!runId.isNumber()) {
            return store.runNumber(flowId, runId).map(number -> new RunRef(flowId, number, runId));
        }
        return store.run(flowId, runId).map(r -> new RunRef(r.flowId(), r.number(), r.exposedId()));
    }

    private Task requireTask(Run run, String stepSegment, String taskSegment) {
        return findTask(run, stepSegment, taskSegment).orElseThrow(() ->
                MetadataException.notFound("task " + stepSegment + "/" + taskSegment + " not found"));
    }

    private Optional<Task> findTask(Run run, String stepSegment, String taskSegment) {
        return findTask(run.flowId(), run.number(), stepSegment, taskSegment);
    }

    private Optional<Task> findTask(String flowId, long runNumber, String stepSegment, String taskSegment) {
        String stepName = stepName(stepSegment);
        return store.task(flowId, runNumber, stepName, ObjectId.parse("task_id", taskSegment));
    }

    private static Integer attempt(String segment) {
        if (segment == null) {
            return null;
        }
        if (!segment.matches("\\d{1,9}")) {
            throw MetadataException.invalid("attempt_id", "attempt_id must be a non-negative integer");
        }
        return Integer.parseInt(segment);
    }

    /** Flow names: Python class names (Unicode identifiers, not keywords), at most {@link MetaflowNames#MAX_ID_LENGTH}. */
    private static String flowName(String segment) {
        if (segment == null || segment.isEmpty()) {
            throw MetadataException.invalid("flow_id", "flow_id is required and must not be empty");
        }
        if (!IDENTIFIER.matcher(segment).matches() || MetaflowNames.isPythonKeyword(segment)
                || segment.length() > MetaflowNames.MAX_ID_LENGTH) {
            throw MetadataException.invalid("flow_id", "flow_id '" + shorten(segment) + "' is not a valid flow name:"
                    + " a flow is a Python class, so use letters, digits and underscores, not starting with a digit"
                    + " (e.g. TrainingFlow), at most " + MetaflowNames.MAX_ID_LENGTH + " characters");
        }
        return segment;
    }

    /**
     * Step names as the service must accept them: Python method names (Unicode identifiers); the runtime also
     * registers internal steps such as {@code _parameters}, so a leading underscore is allowed here.
     */
    private static String stepName(String segment) {
        if (segment == null || !IDENTIFIER.matcher(segment).matches() || segment.length() > MetaflowNames.MAX_ID_LENGTH) {
            throw MetadataException.invalid("step_name", "step_name '" + (segment == null ? "" : shorten(segment))
                    + "' is not a valid step name: use letters, digits and underscores, not starting with a digit");
        }
        return segment;
    }

    /** A name quoted in an error: at most 60 characters, control characters shown as {@code ?}. */
    private static String shorten(String name) {
        String shown = name.length() <= 60 ? name : name.substring(0, 57) + "...";
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private long nowMillis() {
        return clock.millis();
    }

    private long nowSeconds() {
        return clock.millis() / 1000;
    }
}

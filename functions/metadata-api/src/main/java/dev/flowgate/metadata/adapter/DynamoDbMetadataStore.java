package dev.flowgate.metadata.adapter;

import dev.flowgate.metadata.domain.Artifact;
import dev.flowgate.metadata.domain.Flow;
import dev.flowgate.metadata.domain.GateTagging;
import dev.flowgate.metadata.domain.Heartbeat;
import dev.flowgate.metadata.domain.MetadataEntry;
import dev.flowgate.metadata.domain.MetadataException;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.domain.NewRun;
import dev.flowgate.metadata.domain.NewTask;
import dev.flowgate.metadata.domain.Run;
import dev.flowgate.metadata.domain.Step;
import dev.flowgate.metadata.domain.Task;
import dev.flowgate.metadata.domain.TaskKey;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.naming.ObjectId;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@link MetadataStore} on one DynamoDB table ({@code pk}, {@code sk}, {@code gsi1}); the key design and the
 * access pattern each request uses are in the module README. No Scan anywhere: every list is a Query on a
 * partition, every read strongly consistent, every create conditional, multi-row writes validated before any.
 */
public final class DynamoDbMetadataStore implements MetadataStore {
    static final String ALL_FLOWS = "FLOWS";
    /**
     * Metadata fields also written under {@code MFIELD#<step>#<field>#…} so that {@code filtered_tasks} (the
     * client's parent/child navigation) reads one row per task instead of every metadata row of the step.
     */
    static final Set<String> INDEXED_FIELDS = Set.of("foreach-execution-path");
    /** The run item's map attribute holding who first added the gate tag (prod_ready) and when. */
    static final String GATE = "gate";
    /** DynamoDB's 400 KB item limit, less 1 KB for the rounding of number sizes. */
    static final long MAX_ITEM_BYTES = 400 * 1024 - 1024;
    /** DynamoDB's BatchWriteItem limit. */
    private static final int BATCH = 25;
    private static final int BATCH_RETRIES = 8;

    private static final ReturnConsumedCapacity TOTAL = ReturnConsumedCapacity.TOTAL;

    /** Entries kept in each of the container's caches of immutable facts before they are dropped. */
    private static final int CACHE_LIMIT = 50_000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final DynamoDbUsage usage;
    /** Queries the shards of a run in parallel; daemon threads, one pool per container. */
    private final ExecutorService shardReaders;
    /**
     * Immutable facts this container has read, so that 10,000 tasks' requests do not re-read one hot item:
     * a run's string id never changes its number, and steps are never deleted.
     */
    private final Map<String, Long> runNumbersById = new ConcurrentHashMap<>();
    private final Set<String> knownSteps = ConcurrentHashMap.newKeySet();
    /**
     * The run heartbeat (seconds) this container last wrote or saw, so that task heartbeats write the run item at
     * most once per heartbeat interval per container instead of on every beat of every task.
     */
    private final Map<String, Long> runBeats = new ConcurrentHashMap<>();

    public DynamoDbMetadataStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, new DynamoDbUsage());
    }

    public DynamoDbMetadataStore(DynamoDbClient dynamo, String table, DynamoDbUsage usage) {
        this.dynamo = dynamo;
        this.table = table;
        this.usage = usage;
        this.shardReaders = Executors.newFixedThreadPool(TaskShards.COUNT, runnable -> {
            Thread thread = new Thread(runnable, "metadata-shard-reader");
            thread.setDaemon(true);
            return thread;
        });
    }

    // ------------------------------------------------------------------ keys

    static String flowPk(String flowId) {
        return "FLOW#" + flowId;
    }

    static String runPk(String flowId, long run) {
        return "RUN#" + flowId + "#" + run;
    }

    static String runSk(long run) {
        return "RUN#" + pad(run);
    }

    static String taskPrefix(String step) {
        return "TASK#" + step + "#";
    }

    /** The shard partition of a task's items. */
    static String taskPk(TaskKey key) {
        return TaskShards.pkOfTask(key.flowId(), key.runNumber(), key.taskNumber());
    }

    static String artifactPrefix(TaskKey key) {
        return "ART#" + key.stepName() + "#" + pad(key.taskNumber()) + "#";
    }

    static String metadataPrefix(TaskKey key) {
        return "META#" + key.stepName() + "#" + pad(key.taskNumber()) + "#";
    }

    private static String pad(long n) {
        return String.format("%019d", n);
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    // ------------------------------------------------------------------ flows

    @Override
    public void createFlow(Flow flow) {
        Map<String, AttributeValue> item = new HashMap<>(key(flowPk(flow.flowId()), "FLOW"));
        item.put("gsi1pk", s(ALL_FLOWS));
        item.put("gsi1sk", s(flow.flowId()));
        item.put("flow_id", s(flow.flowId()));
        putOptional(item, "user_name", flow.userName());
        item.put("ts_epoch", n(flow.tsEpoch()));
        if (flow.tags() != null) {
            item.put("tags", list(flow.tags()));
        }
        if (flow.systemTags() != null) {
            item.put("system_tags", list(flow.systemTags()));
        }
        item.put("run_seq", n(0));
        try {
            putNew(item);
        } catch (ConditionalCheckFailedException e) {
            throw MetadataException.conflict("flow " + flow.flowId() + " already exists");
        }
    }

    @Override
    public Optional<Flow> flow(String flowId) {
        return get(flowPk(flowId), "FLOW").map(DynamoDbMetadataStore::toFlow);
    }

    @Override
    public List<Flow> flows() {
        return query(QueryRequest.builder().tableName(table).indexName("gsi1")
                .keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", s(ALL_FLOWS))), DynamoDbMetadataStore::toFlow);
    }

    // ------------------------------------------------------------------ runs

    @Override
    public Run createRun(NewRun run) {
        LongSupplier next = () -> increment(flowPk(run.flowId()), "FLOW", "run_seq", 1, null,
                () -> MetadataException.notFound("flow " + run.flowId() + " not found"));
        if (run.runId() == null) {
            return toRun(putNumbered(next, number -> runItem(run, number)));
        }
        long number = next.getAsLong();
        Map<String, AttributeValue> alias = new HashMap<>(key(flowPk(run.flowId()), "RUNID#" + run.runId()));
        alias.put("run_number", n(number));
        return toRun(claimThenPut(alias, "run_number", number, next, "run_id", owner -> runItem(run, owner),
                () -> MetadataException.conflict("run " + run.flowId() + "/" + run.runId() + " already exists")));
    }

    private static Map<String, AttributeValue> runItem(NewRun run, long number) {
        Map<String, AttributeValue> item = new HashMap<>(key(flowPk(run.flowId()), runSk(number)));
        item.put("flow_id", s(run.flowId()));
        item.put("run_number", n(number));
        putOptional(item, "run_id", run.runId());
        putOptional(item, "user_name", run.userName());
        item.put("ts_epoch", n(run.tsEpoch()));
        putSet(item, "tags", run.tags());
        putSet(item, "system_tags", run.systemTags());
        if (run.lastHeartbeatTs() != null) {
            item.put("last_heartbeat_ts", n(run.lastHeartbeatTs()));
        }
        item.put("version", n(0));
        item.put("task_seq", n(0));
        item.put("layout", n(TaskShards.LAYOUT_VERSION));
        if (run.gateTagging() != null) {
            item.put(GATE, gateItem(run.gateTagging()));
        }
        return item;
    }

    /** The gate record: one map attribute on the run item, so it is written in the same request as the tag. */
    private static AttributeValue gateItem(GateTagging gate) {
        Map<String, AttributeValue> map = new HashMap<>();
        putOptional(map, "tagged_by", gate.taggedBy());
        putOptional(map, "caller_kind", gate.callerKind());
        putOptional(map, "user_name", gate.userName());
        map.put("tagged_at", n(gate.taggedAt()));
        putOptional(map, "via", gate.via());
        return AttributeValue.fromM(map);
    }

    private static GateTagging toGate(Map<String, AttributeValue> item) {
        AttributeValue gate = item.get(GATE);
        if (gate == null || !gate.hasM()) {
            return null;
        }
        Map<String, AttributeValue> m = gate.m();
        return new GateTagging(str(m, "tagged_by"), str(m, "caller_kind"), str(m, "user_name"), num(m, "tagged_at"),
                str(m, "via"));
    }

    @Override
    public Optional<Run> run(String flowId, ObjectId run) {
        Optional<Long> number = run.isNumber() ? Optional.of(run.number()) : runNumber(flowId, run.name());
        return number.flatMap(nr -> get(flowPk(flowId), runSk(nr))).map(DynamoDbMetadataStore::toRun);
    }

    @Override
    public Optional<Long> runNumber(String flowId, ObjectId run) {
        return run.isNumber() ? Optional.of(run.number()) : runNumber(flowId, run.name());
    }

    /** The number registered for a string run id; cached, as an alias never changes once written. */
    private Optional<Long> runNumber(String flowId, String runId) {
        String cacheKey = flowId + "/" + runId;
        Long cached = runNumbersById.get(cacheKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Long> number = get(flowPk(flowId), "RUNID#" + runId).map(i -> num(i, "run_number"));
        number.ifPresent(nr -> remember(runNumbersById, cacheKey, nr));
        return number;
    }

    @Override
    public List<Run> runs(String flowId) {
        return query(prefixQuery(flowPk(flowId), "RUN#").scanIndexForward(false), DynamoDbMetadataStore::toRun);
    }

    @Override
    public Heartbeat heartbeatRun(String flowId, long runNumber, long nowSeconds, long staleBefore) {
        return heartbeat(flowPk(flowId), runSk(runNumber), nowSeconds, staleBefore);
    }

    // ------------------------------------------------------------------ steps

    @Override
    public void createStep(Step step) {
        Map<String, AttributeValue> item = new HashMap<>(key(runPk(step.flowId(), step.runNumber()), "STEP#" + step.stepName()));
        item.put("flow_id", s(step.flowId()));
        item.put("run_number", n(step.runNumber()));
        item.put("step_name", s(step.stepName()));
        putOptional(item, "user_name", step.userName());
        item.put("ts_epoch", n(step.tsEpoch()));
        try {
            putNew(item);
        } catch (ConditionalCheckFailedException e) {
            throw MetadataException.conflict("step " + step.stepName() + " already exists");
        }
    }

    @Override
    public Optional<Step> step(String flowId, long runNumber, String stepName) {
        return get(runPk(flowId, runNumber), "STEP#" + stepName).map(DynamoDbMetadataStore::toStep);
    }

    @Override
    public List<Step> steps(String flowId, long runNumber) {
        return query(prefixQuery(runPk(flowId, runNumber), "STEP#"), DynamoDbMetadataStore::toStep);
    }

    // ------------------------------------------------------------------ tasks

    /**
     * A numbered task takes the next number of the run's counter (the client's local runtime creates them, a few
     * at a time) and lives in shard {@code number mod COUNT}. A task registered under a string id (Step Functions,
     * where thousands start at once) lives in the shard of its id and takes its number from that shard's counter,
     * so no create touches the run item beyond the (throttled) run heartbeat.
     */
    @Override
    public Task createTask(NewTask task) {
        requireStep(task.flowId(), task.runNumber(), task.stepName());
        if (task.taskName() == null) {
            LongSupplier next = () -> increment(flowPk(task.flowId()), runSk(task.runNumber()), "task_seq", 1,
                    task.lastHeartbeatTs(), () -> MetadataException.notFound("run " + task.flowId() + "/"
                            + task.runNumber() + " not found"));
            return toTask(putNumbered(next, number -> taskItem(task, number)));
        }
        if (task.lastHeartbeatTs() != null) {
            beatRunAtMostOncePerInterval(task.flowId(), task.runNumber(), task.lastHeartbeatTs(),
                    task.lastHeartbeatTs() - MetadataService.HEARTBEAT_WAIT_SECONDS);
        }
        int shard = TaskShards.ofName(task.taskName());
        LongSupplier next = () -> TaskShards.namedNumber(shard, upsertCounter(
                TaskShards.pk(task.flowId(), task.runNumber(), shard), TaskShards.COUNTER_SK, "task_seq"));
        long number = next.getAsLong();
        return toTask(claimThenPut(taskAliasItem(task, number), "task_number", number, next, "task_name",
                owner -> taskItem(task, owner),
                () -> MetadataException.conflict("task " + task.stepName() + "/" + task.taskName() + " already exists")));
    }

    /** 404 unless the step exists; a step found once is remembered (steps are never deleted). */
    private void requireStep(String flowId, long runNumber, String stepName) {
        String cacheKey = flowId + "/" + runNumber + "/" + stepName;
        if (knownSteps.contains(cacheKey)) {
            return;
        }
        if (get(runPk(flowId, runNumber), "STEP#" + stepName).isEmpty()) {
            throw MetadataException.notFound("step " + stepName + " not found");
        }
        if (knownSteps.size() >= CACHE_LIMIT) {
            knownSteps.clear();
        }
        knownSteps.add(cacheKey);
    }

    /** The item registering a task's string id: in the shard of the id, holding the task's number. */
    static Map<String, AttributeValue> taskAliasItem(NewTask task, long number) {
        String pk = TaskShards.pk(task.flowId(), task.runNumber(), TaskShards.ofName(task.taskName()));
        Map<String, AttributeValue> alias = new HashMap<>(key(pk, "TASKNAME#" + task.stepName() + "#" + task.taskName()));
        alias.put("task_number", n(number));
        return alias;
    }

    static Map<String, AttributeValue> taskItem(NewTask task, long number) {
        String pk = TaskShards.pkOfTask(task.flowId(), task.runNumber(), number);
        Map<String, AttributeValue> item = new HashMap<>(key(pk, taskPrefix(task.stepName()) + pad(number)));
        item.put("flow_id", s(task.flowId()));
        item.put("run_number", n(task.runNumber()));
        item.put("step_name", s(task.stepName()));
        item.put("task_number", n(number));
        putOptional(item, "task_name", task.taskName());
        putOptional(item, "user_name", task.userName());
        item.put("ts_epoch", n(task.tsEpoch()));
        if (task.lastHeartbeatTs() != null) {
            item.put("last_heartbeat_ts", n(task.lastHeartbeatTs()));
        }
        item.put("meta_seq", n(0));
        return item;
    }

    @Override
    public Optional<Task> task(String flowId, long runNumber, String stepName, ObjectId task) {
        Optional<Long> number = task.isNumber() ? Optional.of(task.number())
                : get(TaskShards.pk(flowId, runNumber, TaskShards.ofName(task.name())),
                "TASKNAME#" + stepName + "#" + task.name()).map(i -> num(i, "task_number"));
        return number.flatMap(nr -> get(TaskShards.pkOfTask(flowId, runNumber, nr), taskPrefix(stepName) + pad(nr)))
                .map(DynamoDbMetadataStore::toTask);
    }

    @Override
    public List<Task> tasks(String flowId, long runNumber, String stepName) {
        return queryShards(flowId, runNumber, taskPrefix(stepName), DynamoDbMetadataStore::toTask);
    }

    /** The task's heartbeat, and the run's at most once per heartbeat interval per container. */
    @Override
    public Heartbeat heartbeatTask(TaskKey task, long nowSeconds, long staleBefore) {
        beatRunAtMostOncePerInterval(task.flowId(), task.runNumber(), nowSeconds, staleBefore);
        return heartbeat(taskPk(task), taskPrefix(task.stepName()) + pad(task.taskNumber()), nowSeconds, staleBefore);
    }

    /**
     * Refreshes the run heartbeat on behalf of its tasks unless this container wrote or saw one newer than
     * {@code staleBefore}: 10,000 tasks beating every 10 s would otherwise ask the one run item for 1,000 writes
     * a second (conditional writes are billed when refused, too).
     */
    private void beatRunAtMostOncePerInterval(String flowId, long runNumber, long nowSeconds, long staleBefore) {
        String cacheKey = flowId + "/" + runNumber;
        Long known = runBeats.get(cacheKey);
        if (known != null && known > staleBefore) {
            return;
        }
        Heartbeat result = heartbeatRun(flowId, runNumber, nowSeconds, staleBefore);
        if (result != Heartbeat.MISSING) {
            remember(runBeats, cacheKey, nowSeconds);
        }
    }

    private static <V> void remember(Map<String, V> cache, String key, V value) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(key, value);
    }
    // ------------------------------------------------------------------ artifacts

    /**
     * Artifact rows are immutable, as in the reference: every put is conditional on the row not existing, and of
     * several rows with the same key in one call only the first is written. All rows are size-checked before
     * anything is written, so DynamoDB refuses none of them and a bad POST leaves nothing half-written. Returns how
     * many rows were new.
     */
    @Override
    public int putArtifacts(List<Artifact> artifacts) {
        Map<String, Map<String, AttributeValue>> firstByKey = new LinkedHashMap<>();
        for (int index = 0; index < artifacts.size(); index++) {
            Artifact a = artifacts.get(index);
            TaskKey k = a.key();
            Map<String, AttributeValue> item = new HashMap<>(key(taskPk(k),
                    artifactPrefix(k) + String.format("%010d", a.attemptId()) + "#" + a.name()));
            putTaskKey(item, k);
            item.put("run_exposed", exposed(a.runId()));
            item.put("task_exposed", exposed(a.taskId()));
            item.put("attempt_id", n(a.attemptId()));
            item.put("name", s(a.name()));
            item.put("location", s(a.location()));
            item.put("ds_type", s(a.dsType()));
            item.put("sha", s(a.sha()));
            item.put("type", s(a.type()));
            item.put("content_type", s(a.contentType()));
            item.put("user_name", s(a.userName()));
            item.put("ts_epoch", n(a.tsEpoch()));
            requireFits(item, index);
            firstByKey.putIfAbsent(item.get("sk").s(), item);
        }
        return writeRows(List.copyOf(firstByKey.values()), true);
    }

    @Override
    public List<Artifact> artifacts(TaskKey task) {
        return query(prefixQuery(taskPk(task), artifactPrefix(task)), DynamoDbMetadataStore::toArtifact);
    }

    @Override
    public List<Artifact> artifacts(String flowId, long runNumber, String stepName) {
        return queryShards(flowId, runNumber, stepName == null ? "ART#" : "ART#" + stepName + "#",
                DynamoDbMetadataStore::toArtifact);
    }

    // ------------------------------------------------------------------ metadata

    /**
     * Every row is size-checked (with the largest ids it could get) before anything is written, the id block is
     * then allocated, and the rows go out in batches: a refused POST leaves no rows behind.
     */
    @Override
    public int addMetadata(TaskKey task, List<MetadataEntry> entries) {
        metadataItems(task, entries, Long.MAX_VALUE / 2, true);
        String pk = taskPk(task);
        long last = increment(pk, taskPrefix(task.stepName()) + pad(task.taskNumber()), "meta_seq", entries.size(), null,
                () -> MetadataException.invalid("task_id", "need to register run_id and task_id first"));
        writeRows(metadataItems(task, entries, last - entries.size() + 1, false), false);
        return entries.size();
    }

    private static List<Map<String, AttributeValue>> metadataItems(TaskKey task, List<MetadataEntry> entries, long firstId,
                                                                   boolean check) {
        String pk = taskPk(task);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int index = 0; index < entries.size(); index++) {
            MetadataEntry e = entries.get(index);
            long id = firstId + index;
            Map<String, AttributeValue> item = new HashMap<>(key(pk, metadataPrefix(task) + pad(id)));
            putTaskKey(item, task);
            item.put("id", n(id));
            item.put("run_exposed", exposed(e.runId()));
            item.put("task_exposed", exposed(e.taskId()));
            item.put("field_name", s(e.fieldName()));
            item.put("value", s(e.value()));
            item.put("type", s(e.type()));
            item.put("user_name", s(e.userName()));
            item.put("ts_epoch", n(e.tsEpoch()));
            item.put("tags", list(e.tags()));
            item.put("system_tags", list(e.systemTags()));
            items.add(item);
            if (INDEXED_FIELDS.contains(e.fieldName())) {
                Map<String, AttributeValue> byField = new HashMap<>(item);
                byField.put("sk", s(fieldPrefix(task.stepName(), e.fieldName()) + pad(task.taskNumber()) + "#" + pad(id)));
                items.add(byField);
                if (check) {
                    requireFits(byField, index);
                }
            }
            if (check) {
                requireFits(item, index);
            }
        }
        return items;
    }

    static String fieldPrefix(String step, String field) {
        return "MFIELD#" + step + "#" + field + "#";
    }

    @Override
    public List<MetadataEntry> metadata(String flowId, long runNumber, String stepName, String fieldName) {
        if (INDEXED_FIELDS.contains(fieldName)) {
            return queryShards(flowId, runNumber, fieldPrefix(stepName, fieldName), DynamoDbMetadataStore::toMetadata);
        }
        return metadata(flowId, runNumber, stepName).stream().filter(m -> fieldName.equals(m.fieldName())).toList();
    }

    @Override
    public List<MetadataEntry> metadata(TaskKey task) {
        return query(prefixQuery(taskPk(task), metadataPrefix(task)).scanIndexForward(false),
                DynamoDbMetadataStore::toMetadata);
    }

    @Override
    public List<MetadataEntry> metadata(String flowId, long runNumber, String stepName) {
        return queryShards(flowId, runNumber, stepName == null ? "META#" : "META#" + stepName + "#",
                DynamoDbMetadataStore::toMetadata);
    }

    // ------------------------------------------------------------------ tags

    @Override
    public Optional<Set<String>> addRunTags(String flowId, long runNumber, Set<String> tags, GateTagging gate) {
        if (gate == null) {
            return setOperation(flowId, runNumber, "ADD tags :t, version :one", tags, Map.of());
        }
        return setOperation(flowId, runNumber, "ADD tags :t, version :one SET " + GATE + " = if_not_exists(" + GATE
                + ", :gate)", tags, Map.of(":gate", gateItem(gate)));
    }

    @Override
    public Optional<Set<String>> removeRunTags(String flowId, long runNumber, Set<String> tags) {
        return setOperation(flowId, runNumber, "DELETE tags :t ADD version :one", tags, Map.of());
    }

    @Override
    public boolean replaceRunTags(String flowId, long runNumber, Set<String> tags, long expectedVersion, GateTagging gate) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":v", n(expectedVersion));
        values.put(":next", n(expectedVersion + 1));
        String update = "SET version = :next ";
        if (gate != null) {
            update += ", " + GATE + " = if_not_exists(" + GATE + ", :gate) ";
            values.put(":gate", gateItem(gate));
        }
        if (tags.isEmpty()) {
            update += "REMOVE tags";
        } else {
            update += ", tags = :t";
            values.put(":t", AttributeValue.fromSs(List.copyOf(tags)));
        }
        String expression = update;
        try {
            call("UpdateItem", 1, () -> dynamo.updateItem(r -> r.tableName(table).key(key(flowPk(flowId), runSk(runNumber)))
                    .updateExpression(expression).conditionExpression("version = :v")
                    .expressionAttributeValues(values).returnConsumedCapacity(TOTAL)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private Optional<Set<String>> setOperation(String flowId, long runNumber, String expression, Set<String> tags,
                                               Map<String, AttributeValue> extraValues) {
        Map<String, AttributeValue> values = new HashMap<>(extraValues);
        values.put(":t", AttributeValue.fromSs(List.copyOf(tags)));
        values.put(":one", n(1));
        try {
            Map<String, AttributeValue> item = call("UpdateItem", 1, () -> dynamo.updateItem(r -> r.tableName(table)
                    .key(key(flowPk(flowId), runSk(runNumber)))
                    .updateExpression(expression).conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW).returnConsumedCapacity(TOTAL))).attributes();
            return Optional.of(stringSet(item, "tags"));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ SDK plumbing

    private Heartbeat heartbeat(String pk, String sk, long nowSeconds, long staleBefore) {
        try {
            call("UpdateItem", 1, () -> dynamo.updateItem(r -> r.tableName(table).key(key(pk, sk))
                    .updateExpression("SET last_heartbeat_ts = :now")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(last_heartbeat_ts)"
                            + " OR last_heartbeat_ts <= :stale)")
                    .expressionAttributeValues(Map.of(":now", n(nowSeconds), ":stale", n(staleBefore)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .returnConsumedCapacity(TOTAL)));
            return Heartbeat.UPDATED;
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && !e.item().isEmpty()) {
                return Heartbeat.FRESH;
            }
            return get(pk, sk).isPresent() ? Heartbeat.FRESH : Heartbeat.MISSING;
        }
    }

    /** Atomically adds {@code by} to a counter of an existing item; returns the new value. */
    private long increment(String pk, String sk, String counter, long by, Long heartbeat,
                           Supplier<MetadataException> missing) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":by", n(by));
        String expression = "ADD " + counter + " :by";
        if (heartbeat != null) {
            expression += " SET last_heartbeat_ts = :hb";
            values.put(":hb", n(heartbeat));
        }
        String update = expression;
        try {
            Map<String, AttributeValue> item = call("UpdateItem", 1, () -> dynamo.updateItem(r -> r.tableName(table)
                    .key(key(pk, sk)).updateExpression(update).conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(values).returnValues(ReturnValue.UPDATED_NEW)
                    .returnConsumedCapacity(TOTAL))).attributes();
            return num(item, counter);
        } catch (ConditionalCheckFailedException e) {
            throw missing.get();
        }
    }

    /** Atomically adds 1 to a counter item, creating it at 1 if absent; returns the new value. */
    private long upsertCounter(String pk, String sk, String counter) {
        Map<String, AttributeValue> item = call("UpdateItem", 1, () -> dynamo.updateItem(r -> r.tableName(table)
                .key(key(pk, sk)).updateExpression("ADD " + counter + " :one")
                .expressionAttributeValues(Map.of(":one", n(1))).returnValues(ReturnValue.UPDATED_NEW)
                .returnConsumedCapacity(TOTAL))).attributes();
        return num(item, counter);
    }

    /**
     * Creates an object registered under a string id: first claims the id (a conditional put of the alias
     * item, so exactly one caller wins), then writes the object. A caller that loses the claim makes sure the
     * winner's object exists before answering 409 (it writes it itself if the winner has not yet, or died
     * between the two writes), so the client's 409-then-GET always finds it.
     */
    private Map<String, AttributeValue> claimThenPut(Map<String, AttributeValue> alias, String numberAttribute, long number,
                                                     LongSupplier next, String idAttribute,
                                                     LongFunction<Map<String, AttributeValue>> itemFor,
                                                     Supplier<MetadataException> conflict) {
        try {
            putNew(alias);
        } catch (ConditionalCheckFailedException taken) {
            long owner = get(alias.get("pk").s(), alias.get("sk").s()).map(i -> num(i, numberAttribute))
                    .orElseThrow(conflict);
            putIfAbsent(itemFor.apply(owner));
            throw conflict.get();
        }
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = itemFor.apply(number);
            try {
                putNew(item);
                return item;
            } catch (ConditionalCheckFailedException written) {
                Optional<Map<String, AttributeValue>> existing = get(item.get("pk").s(), item.get("sk").s());
                if (existing.isEmpty() || item.get(idAttribute).equals(existing.get().get(idAttribute)) || attempt == 5) {
                    return existing.orElse(item); // a racer completing the same claim wrote the same object
                }
                // the number belongs to another object (an emulator's counter handed it out twice; DynamoDB's
                // never does): this claim moves to the next number instead of sharing it
                number = next.getAsLong();
                Map<String, AttributeValue> moved = new HashMap<>(alias);
                moved.put(numberAttribute, n(number));
                call("PutItem", DynamoDbUsage.writeUnits(moved), () -> dynamo.putItem(r -> r.tableName(table).item(moved)
                        .returnConsumedCapacity(TOTAL)));
            }
        }
    }

    /**
     * Writes the item of a newly allocated number. DynamoDB's atomic counter never hands a number out twice; an
     * emulator under load can, so a number found taken is replaced by the next one (never an overwrite).
     */
    private Map<String, AttributeValue> putNumbered(LongSupplier next, LongFunction<Map<String, AttributeValue>> itemFor) {
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = itemFor.apply(next.getAsLong());
            try {
                putNew(item);
                return item;
            } catch (ConditionalCheckFailedException taken) {
                if (attempt == 5) {
                    throw taken;
                }
            }
        }
    }

    private void putIfAbsent(Map<String, AttributeValue> item) {
        try {
            putNew(item);
        } catch (ConditionalCheckFailedException alreadyWritten) {
            // written by a concurrent caller completing the same claim: same object
        }
    }

    private void putNew(Map<String, AttributeValue> item) {
        call("PutItem", DynamoDbUsage.writeUnits(item), () -> dynamo.putItem(r -> r.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").returnConsumedCapacity(TOTAL)));
    }

    /**
     * Refuses (413, before anything is written) an item DynamoDB would reject for its 400 KB limit, naming the
     * request row and its largest attribute, e.g. {@code [30].value}.
     */
    private static void requireFits(Map<String, AttributeValue> item, int index) {
        long size = DynamoDbUsage.size(item);
        if (size <= MAX_ITEM_BYTES) {
            return;
        }
        String largest = item.entrySet().stream().filter(e -> !e.getKey().equals("pk") && !e.getKey().equals("sk"))
                .max(Comparator.comparingLong(e -> DynamoDbUsage.size(Map.of(e.getKey(), e.getValue()))))
                .map(Map.Entry::getKey).orElse("body");
        String field = "[" + index + "]." + largest;
        throw MetadataException.tooLarge(field, field + " makes the row " + size + " bytes; a stored row may have at"
                + " most " + MAX_ITEM_BYTES + " bytes (DynamoDB's 400 KB item limit); nothing was written");
    }

    /**
     * Writes the rows of one POST, already validated (sizes checked up front, so DynamoDB refuses none of them).
     * With {@code onlyNew} (artifacts), each put is conditional on its key being free: an existing row is kept and
     * skipped, as the reference does. Other rows go out in batches. Returns how many items were written.
     * (Transactions made this all-or-nothing for service failures too, but moto serialises them badly under a
     * Distributed Map's concurrency: requests of a 40-task foreach waited a minute and failed.)
     */
    private int writeRows(List<Map<String, AttributeValue>> items, boolean onlyNew) {
        if (!onlyNew) {
            batchPut(items);
            return items.size();
        }
        int written = 0;
        for (Map<String, AttributeValue> item : items) {
            try {
                putNew(item);
                written++;
            } catch (ConditionalCheckFailedException existing) {
                // the first write of an artifact wins; a re-post is skipped
            }
        }
        return written;
    }

    private void batchPut(List<Map<String, AttributeValue>> items) {
        for (int from = 0; from < items.size(); from += BATCH) {
            List<WriteRequest> chunk = items.subList(from, Math.min(items.size(), from + BATCH)).stream()
                    .map(i -> WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()).toList();
            Map<String, List<WriteRequest>> pending = Map.of(table, chunk);
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt >= BATCH_RETRIES) {
                    throw MetadataException.unavailable("DynamoDB kept items unprocessed; retry the request");
                }
                if (attempt > 0) {
                    sleep(25L << attempt);
                }
                Map<String, List<WriteRequest>> request = pending;
                double units = request.values().stream().flatMap(List::stream)
                        .mapToDouble(w -> DynamoDbUsage.writeUnits(w.putRequest().item())).sum();
                BatchWriteItemResponse response = call("BatchWriteItem", units, () -> dynamo.batchWriteItem(r -> r
                        .requestItems(request).returnConsumedCapacity(TOTAL)));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    private Optional<Map<String, AttributeValue>> get(String pk, String sk) {
        Map<String, AttributeValue> item = call("GetItem",
                (GetItemResponse r) -> DynamoDbUsage.readUnits(r.hasItem() ? List.of(r.item()) : List.of()), () -> dynamo.getItem(r -> r.tableName(table).key(key(pk, sk))
                .consistentRead(true).returnConsumedCapacity(TOTAL))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    private QueryRequest.Builder prefixQuery(String pk, String prefix) {
        return QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(prefix)));
    }

    /** Runs a Query to the end, page by page. */
    private <T> List<T> query(QueryRequest.Builder request, Function<Map<String, AttributeValue>, T> mapper) {
        List<T> results = new ArrayList<>();
        for (QueryResponse page : recorded(pages(request))) {
            page.items().forEach(i -> results.add(mapper.apply(i)));
        }
        return results;
    }

    /**
     * Runs the prefix Query on every shard partition of the run at once, each to its end, and merges the items by
     * sort key: the order one partition holding them all would give. Usage is recorded on the calling thread (the
     * request's figures are kept per thread).
     */
    private <T> List<T> queryShards(String flowId, long runNumber, String prefix,
                                    Function<Map<String, AttributeValue>, T> mapper) {
        List<Future<List<QueryResponse>>> shards = new ArrayList<>();
        for (int shard = 0; shard < TaskShards.COUNT; shard++) {
            QueryRequest.Builder request = prefixQuery(TaskShards.pk(flowId, runNumber, shard), prefix);
            shards.add(shardReaders.submit(() -> pages(request)));
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Future<List<QueryResponse>> shard : shards) {
            for (QueryResponse page : recorded(await(shard))) {
                items.addAll(page.items());
            }
        }
        items.sort(Comparator.comparing(i -> i.get("sk").s()));
        return items.stream().map(mapper).toList();
    }

    private static List<QueryResponse> await(Future<List<QueryResponse>> shard) {
        try {
            return shard.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MetadataException.unavailable("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw MetadataException.unavailable("DynamoDB query failed; retry: " + e.getCause());
        }
    }

    /** The pages of a Query, SDK failures translated as {@link #call} does, not yet recorded. */
    private List<QueryResponse> pages(QueryRequest.Builder request) {
        List<QueryResponse> pages = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest page = request.exclusiveStartKey(start).returnConsumedCapacity(TOTAL).build();
            QueryResponse response = translated(() -> dynamo.query(page));
            pages.add(response);
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return pages;
    }

    private List<QueryResponse> recorded(List<QueryResponse> pages) {
        pages.forEach(page -> usage.record("Query", page, DynamoDbUsage.readUnits(page.items())));
        return pages;
    }

    /** Runs one SDK request, recording it with {@code estimatedUnits} (see {@link DynamoDbUsage}). */
    private <T> T call(String name, double estimatedUnits, Supplier<T> operation) {
        return call(name, response -> estimatedUnits, operation);
    }

    private <T> T call(String name, Function<T, Double> estimate, Supplier<T> operation) {
        try {
            T response = translated(operation);
            usage.record(name, response, estimate.apply(response));
            return response;
        } catch (ConditionalCheckFailedException e) {
            usage.record(name, null, estimate.apply(null)); // a refused conditional write is billed too (writes only)
            throw e;
        }
    }

    /** SDK failures that are the service's, not the client's, become 503 (the only status the client retries). */
    private static <T> T translated(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (ProvisionedThroughputExceededException | RequestLimitExceededException e) {
            throw MetadataException.unavailable("DynamoDB is throttling; retry: " + e.awsErrorDetails().errorCode());
        } catch (InternalServerErrorException e) {
            throw MetadataException.unavailable("DynamoDB internal error; retry");
        } catch (SdkClientException e) {
            throw MetadataException.unavailable("DynamoDB unreachable; retry: " + e.getMessage());
        } catch (DynamoDbException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw MetadataException.unavailable("DynamoDB is unavailable; retry: " + e.getMessage());
            }
            throw e;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MetadataException.unavailable("interrupted");
        }
    }

    // ------------------------------------------------------------------ item mapping

    private static Flow toFlow(Map<String, AttributeValue> i) {
        return new Flow(str(i, "flow_id"), str(i, "user_name"), num(i, "ts_epoch"),
                i.containsKey("tags") ? strings(i.get("tags")) : null,
                i.containsKey("system_tags") ? strings(i.get("system_tags")) : null);
    }

    private static Run toRun(Map<String, AttributeValue> i) {
        return new Run(str(i, "flow_id"), num(i, "run_number"), str(i, "run_id"), str(i, "user_name"),
                num(i, "ts_epoch"), stringSet(i, "tags"), stringSet(i, "system_tags"), optionalNum(i, "last_heartbeat_ts"),
                num(i, "version"), toGate(i));
    }

    private static Step toStep(Map<String, AttributeValue> i) {
        return new Step(str(i, "flow_id"), num(i, "run_number"), str(i, "step_name"), str(i, "user_name"), num(i, "ts_epoch"));
    }

    private static TaskKey toTaskKey(Map<String, AttributeValue> i) {
        return new TaskKey(str(i, "flow_id"), num(i, "run_number"), str(i, "step_name"), num(i, "task_number"));
    }

    private static Task toTask(Map<String, AttributeValue> i) {
        return new Task(toTaskKey(i), str(i, "task_name"), str(i, "user_name"), num(i, "ts_epoch"),
                optionalNum(i, "last_heartbeat_ts"));
    }

    private static Artifact toArtifact(Map<String, AttributeValue> i) {
        return new Artifact(toTaskKey(i), exposed(i.get("run_exposed")), exposed(i.get("task_exposed")),
                (int) num(i, "attempt_id"), str(i, "name"), str(i, "location"), str(i, "ds_type"), str(i, "sha"),
                str(i, "type"), str(i, "content_type"), str(i, "user_name"), num(i, "ts_epoch"));
    }

    private static MetadataEntry toMetadata(Map<String, AttributeValue> i) {
        return new MetadataEntry(toTaskKey(i), exposed(i.get("run_exposed")), exposed(i.get("task_exposed")),
                num(i, "id"), str(i, "field_name"), str(i, "value"), str(i, "type"), str(i, "user_name"),
                num(i, "ts_epoch"), strings(i.get("tags")), strings(i.get("system_tags")));
    }

    private static void putTaskKey(Map<String, AttributeValue> item, TaskKey k) {
        item.put("flow_id", s(k.flowId()));
        item.put("run_number", n(k.runNumber()));
        item.put("step_name", s(k.stepName()));
        item.put("task_number", n(k.taskNumber()));
    }

    /** Exposed ids keep their JSON type: a number attribute for numbers, a string attribute for names. */
    private static AttributeValue exposed(ObjectId id) {
        return id.isNumber() ? n(id.number()) : s(id.name());
    }

    private static ObjectId exposed(AttributeValue value) {
        return value.n() != null ? ObjectId.ofNumber(Long.parseLong(value.n())) : ObjectId.ofName(value.s());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).toList());
    }

    private static void putOptional(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static void putSet(Map<String, AttributeValue> item, String name, Set<String> values) {
        if (!values.isEmpty()) {
            item.put(name, AttributeValue.fromSs(List.copyOf(values)));
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        return Long.parseLong(item.get(name).n());
    }

    private static Long optionalNum(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Long.parseLong(value.n());
    }

    private static List<String> strings(AttributeValue value) {
        if (value == null) {
            return List.of();
        }
        if (value.hasL()) {
            return value.l().stream().map(AttributeValue::s).toList();
        }
        return value.hasSs() ? List.copyOf(value.ss()) : List.of();
    }

    private static Set<String> stringSet(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? Set.of() : new LinkedHashSet<>(strings(value));
    }
}

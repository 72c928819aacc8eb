package dev.flowgate.metadata.adapter;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.metadata.domain.NewTask;
import dev.flowgate.metadata.domain.Task;
import dev.flowgate.metadata.handler.MetadataApiHandler;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.ObjectId;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One run of 10,000 tasks (a Distributed Map foreach: Step Functions tasks register string ids, AWS Batch job ids)
 * on the sharded key layout, read back through the API's list-tasks route complete and in order: as the client
 * reads it (one bare list), and the first two pages of the reference's cursor pagination. Most tasks are written in batches of the
 * items {@code createTask} writes (moto is too slow for 30,000 single requests on a shared machine); the last
 * {@value #LIVE} go through {@code createTask} itself from 32 threads, continuing the shard counters.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbTenThousandTasksIT {
    private static final int TASKS = 10_000;
    /** Tasks created through {@code createTask} itself (the others are written in batches, as it writes them). */
    private static final int LIVE = 320;

    private DynamoDbClient dynamo;
    private DynamoDbMetadataStore store;
    private MetadataApiHandler handler;
    private ExecutorService pool;
    private String table;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        FlowgateResources resources = new FlowgateResources(AwsEmulator.uniqueName("md10k"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), resources)) {
            provisioner.createTable(FlowgateResources.METADATA);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        table = resources.tableName(FlowgateResources.METADATA);
        store = new DynamoDbMetadataStore(dynamo, table);
        Environment env = emulator.environment(resources.prefix()).with("POWERTOOLS_LOG_LEVEL", "WARN");
        handler = new MetadataApiHandler(env);
        pool = Executors.newFixedThreadPool(32);
    }

    @AfterAll
    void close() {
        pool.shutdownNow();
        dynamo.close();
    }

    private APIGatewayProxyResponseEvent http(String method, String path, Map<String, String> query, String body) {
        return handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path)
                .withQueryStringParameters(query).withBody(body), null);
    }

    private JsonNode ok(String method, String path, Map<String, String> query, String body) {
        APIGatewayProxyResponseEvent response = http(method, path, query, body);
        assertThat(response.getStatusCode()).as(method + " " + path + ": " + response.getBody()).isEqualTo(200);
        return FlowgateJson.parse(response.getBody());
    }

    @Test
    void tenThousandTasksOfOneRun_areListedCompleteAndInOrder_wholeAndPageByPage() throws Exception {
        String flow = "WideFlow" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String run = "sfn-" + UUID.randomUUID();
        ok("POST", "/flows/" + flow, null, "{}");
        ok("POST", "/flows/" + flow + "/run", null, "{\"run_number\":\"" + run + "\"}");
        long runNumber = store.run(flow, ObjectId.parse("run_number", run)).orElseThrow().number();
        String base = "/flows/" + flow + "/runs/" + run + "/steps/score";
        ok("POST", base + "/step", null, "{}");

        long now = System.currentTimeMillis();
        List<String> names = IntStream.range(0, TASKS).mapToObj(i -> UUID.randomUUID() + "-" + i).toList(); // as Batch job ids
        Map<String, Long> numbers = new ConcurrentHashMap<>();
        // most of them written as createTask writes them (alias + task item in the id's shard, numbered by the
        // shard's counter), 25 items a request: moto is too slow for 30,000 single requests on a shared machine
        Map<Integer, Long> sequences = new HashMap<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (String name : names.subList(0, TASKS - LIVE)) {
            int shard = TaskShards.ofName(name);
            long number = TaskShards.namedNumber(shard, sequences.merge(shard, 1L, Long::sum));
            NewTask task = new NewTask(flow, runNumber, "score", name, "SFN", now, now / 1000);
            items.add(DynamoDbMetadataStore.taskAliasItem(task, number));
            items.add(DynamoDbMetadataStore.taskItem(task, number));
            numbers.put(name, number);
        }
        sequences.forEach((shard, last) -> items.add(Map.of("pk", AttributeValue.fromS(TaskShards.pk(flow, runNumber, shard)),
                "sk", AttributeValue.fromS(TaskShards.COUNTER_SK), "task_seq", AttributeValue.fromN(Long.toString(last)))));
        List<Future<?>> writes = new ArrayList<>();
        for (int from = 0; from < items.size(); from += 25) {
            List<Map<String, AttributeValue>> chunk = items.subList(from, Math.min(items.size(), from + 25));
            writes.add(pool.submit(() -> batchWrite(chunk)));
        }
        for (Future<?> write : writes) {
            write.get();
        }
        // the rest through the store's own create path, concurrently: the shard counters go on without collisions
        List<Future<Task>> created = new ArrayList<>();
        for (String name : names.subList(TASKS - LIVE, TASKS)) {
            created.add(pool.submit(() -> store.createTask(new NewTask(flow, runNumber, "score", name, "SFN",
                    System.currentTimeMillis(), System.currentTimeMillis() / 1000))));
        }
        for (Future<Task> f : created) {
            Task task = f.get();
            numbers.put(task.taskName(), task.key().taskNumber());
        }
        assertThat(numbers.values().stream().distinct()).hasSize(TASKS);
        assertThat(numbers.values().stream().map(TaskShards::ofNumber).distinct())
                .as("every shard partition holds some of them").hasSize(TaskShards.COUNT);
        List<String> expected = names.stream().sorted(Comparator.comparingLong(numbers::get)).toList();

        JsonNode all = ok("GET", base + "/tasks", null, null);
        List<String> listed = new ArrayList<>();
        all.forEach(t -> listed.add(t.get("task_id").asText()));
        assertThat(listed).as("the client's list: every task once, in task-number order").isEqualTo(expected);

        // a UI's paged read (the client never pages): the newest 500, then the next 500 from the cursor; each page is
        // cut from the full merged list, so two pages show the cursor works across shards without 20 full reads
        APIGatewayProxyResponseEvent first = http("GET", base + "/tasks", Map.of("_limit", "500"), null);
        assertThat(first.getStatusCode()).as("first page: %s", first.getBody()).isEqualTo(200);
        String cursor = first.getHeaders().get("X-Next-Cursor");
        APIGatewayProxyResponseEvent second = http("GET", base + "/tasks", Map.of("_limit", "500", "_cursor", cursor), null);
        List<JsonNode> pageRows = new ArrayList<>();
        FlowgateJson.parse(first.getBody()).forEach(pageRows::add);
        FlowgateJson.parse(second.getBody()).forEach(pageRows::add);
        assertThat(pageRows).hasSize(1000);
        assertThat(pageRows.stream().map(r -> r.get("task_id").asText()).distinct()).as("no task on two pages").hasSize(1000);
        assertThat(IntStream.range(1, pageRows.size()).allMatch(i -> descending(pageRows.get(i - 1), pageRows.get(i))))
                .as("pages are newest first by ts_epoch, then task_id, as the reference orders them").isTrue();
        assertThat(second.getHeaders().get("X-Next-Cursor")).isNotNull();
    }

    private void batchWrite(List<Map<String, AttributeValue>> chunk) {
        Map<String, List<WriteRequest>> pending = Map.of(table, chunk.stream()
                .map(i -> WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()).toList());
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamo.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
    }

    private static boolean descending(JsonNode before, JsonNode after) {
        long a = before.get("ts_epoch").asLong();
        long b = after.get("ts_epoch").asLong();
        return a > b || a == b && before.get("task_id").asText().compareTo(after.get("task_id").asText()) > 0;
    }
}

package dev.flowgate.metadata.adapter;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.metadata.domain.Heartbeat;
import dev.flowgate.metadata.domain.TaskKey;
import dev.flowgate.metadata.handler.MetadataApi;
import dev.flowgate.metadata.handler.MetadataApiContract;
import dev.flowgate.metadata.handler.MetadataApiHandler;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same API contract on DynamoDB (moto over the real wire protocol), plus what only a real store can
 * show: concurrent creates, counters and tag writes through the Lambda handler.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbMetadataApiIT extends MetadataApiContract {
    private DynamoDbClient dynamo;
    private DynamoDbMetadataStore store;
    private MetadataApiHandler handler;
    private ExecutorService pool;
    private Environment env;
    private String tableName;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        FlowgateResources resources = new FlowgateResources(AwsEmulator.uniqueName("md"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), resources)) {
            provisioner.createTable(FlowgateResources.METADATA);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        tableName = resources.tableName(FlowgateResources.METADATA);
        store = new DynamoDbMetadataStore(dynamo, tableName);
        env = emulator.environment(resources.prefix()).with("POWERTOOLS_LOG_LEVEL", "WARN");
        handler = new MetadataApiHandler(env);
        pool = Executors.newFixedThreadPool(50);
    }

    @AfterAll
    void close() {
        pool.shutdownNow();
        dynamo.close();
    }

    @Override
    protected MetadataStore store() {
        return store;
    }

    private APIGatewayProxyResponseEvent http(String method, String path, String body) {
        return handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path).withBody(body), null);
    }

    private <T> List<T> concurrently(int n, java.util.function.IntFunction<Callable<T>> work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Callable<T> job = work.apply(i);
            futures.add(pool.submit(() -> {
                start.await();
                return job.call();
            }));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get());
        }
        return results;
    }

    @Test
    void fiftyClients_addingDifferentTagsToOneRun_loseNone() throws Exception {
        String flow = flowName("Tags");
        http("POST", "/flows/" + flow, "{}");
        String run = FlowgateJson.parse(http("POST", "/flows/" + flow + "/run", "{\"user_name\":\"ann\",\"system_tags\":[\"user:ann\"]}").getBody())
                .get("run_number").asText();
        List<Integer> statuses = concurrently(50, i -> () -> {
            // the real client retries 409 (and 503) a few times; so do we
            for (int attempt = 0; ; attempt++) {
                int status = http("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate",
                        "{\"tags_to_add\":[\"tag" + i + "\"]}").getStatusCode();
                if (status != 409 && status != 503 || attempt == 9) {
                    return status;
                }
                Thread.sleep(20L * (attempt + 1));
            }
        });
        assertThat(statuses).containsOnly(200);
        JsonNode tags = FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/" + run, null).getBody()).get("tags");
        assertThat(tags).hasSize(50);
    }

    @Test
    void concurrentCreates_ofOneStringRunId_haveExactlyOneWinner_andTheRestConflict() throws Exception {
        String flow = flowName("Race");
        http("POST", "/flows/" + flow, "{}");
        List<Integer> statuses = concurrently(20, i -> () -> http("POST", "/flows/" + flow + "/run",
                "{\"run_number\":\"sfn-race\",\"user_name\":\"sfn\",\"system_tags\":[\"user:sfn\"]}").getStatusCode());
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(19);
        assertThat(http("GET", "/flows/" + flow + "/runs/sfn-race", null).getStatusCode()).isEqualTo(200);
        assertThat(FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs", null).getBody())).hasSize(1);
    }

    @Test
    void concurrentCreates_allocateUniqueRunAndTaskIds() throws Exception {
        String flow = flowName("Ids");
        http("POST", "/flows/" + flow, "{}");
        List<String> runs = concurrently(30, i -> () -> FlowgateJson.parse(
                http("POST", "/flows/" + flow + "/run", "{}").getBody()).get("run_number").asText());
        assertThat(new HashSet<>(runs)).hasSize(30);
        String run = runs.get(0);
        http("POST", "/flows/" + flow + "/runs/" + run + "/steps/fan/step", "{}");
        List<String> tasks = concurrently(40, i -> () -> FlowgateJson.parse(
                http("POST", "/flows/" + flow + "/runs/" + run + "/steps/fan/task", "{}").getBody()).get("task_id").asText());
        assertThat(new HashSet<>(tasks)).hasSize(40);
        assertThat(FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/" + run + "/steps/fan/tasks", null).getBody()))
                .hasSize(40);
    }

    @Test
    void largeBatches_areChunked_andListsPageThroughQueryResults() {
        String flow = flowName("Batch");
        long run = newRun(flow);
        long task = newTask(flow, run, "start");
        String[] names = new String[120];
        for (int i = 0; i < names.length; i++) {
            names[i] = "artifact_" + i + "_" + "x".repeat(900);
        }
        JsonNode created = ok("POST", "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task + "/artifact",
                artifacts(0, names));
        assertThat(created.get("artifacts_created").asInt()).isEqualTo(120);
        assertThat(store.artifacts(new TaskKey(flow, run, "start", task))).hasSize(120);
        List<String> rows = new ArrayList<>(Collections.nCopies(60, ""));
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"field_name\":\"f").append(i).append("\",\"value\":\"")
                    .append("v".repeat(2000)).append("\",\"type\":\"t\",\"tags\":[\"attempt_id:0\"]}");
        }
        ok("POST", "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task + "/metadata", body.append("]").toString());
        JsonNode metadata = ok("GET", "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task + "/metadata", null);
        assertThat(metadata).hasSize(60);
        Set<Long> ids = new HashSet<>();
        metadata.forEach(m -> ids.add(m.get("id").asLong()));
        assertThat(ids).hasSize(60);
    }

    @Test
    void oversizedRows_are413NamingTheField_andNothingOfTheBatchIsWritten() {
        String flow = flowName("Big");
        long run = newRun(flow);
        long task = newTask(flow, run, "start");
        String path = "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task;
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 31; i++) {
            body.append(i == 0 ? "" : ",").append("{\"field_name\":\"f").append(i).append("\",\"value\":\"")
                    .append(i == 30 ? "v".repeat(1_000_000) : "small").append("\",\"tags\":[\"attempt_id:0\"]}");
        }
        MetadataApi.HttpReply metadata = call("POST", path + "/metadata", body.append("]").toString());
        assertThat(metadata.status()).as(metadata.body().substring(0, Math.min(300, metadata.body().length()))).isEqualTo(413);
        assertThat(FlowgateJson.parse(metadata.body()).get("field").asText()).isEqualTo("[30].value");
        assertThat(ok("GET", path + "/metadata", null)).isEmpty();

        String artifacts = "[{\"name\":\"name\",\"location\":\"l\"},{\"name\":\"big\",\"location\":\""
                + "s3://b/" + "k".repeat(500_000) + "\"}]";
        MetadataApi.HttpReply artifact = call("POST", path + "/artifact", artifacts);
        assertThat(artifact.status()).isEqualTo(413);
        assertThat(FlowgateJson.parse(artifact.body()).get("field").asText()).isEqualTo("[1].location");
        assertThat(ok("GET", path + "/attempt/0/artifacts", null)).isEmpty();

        String nearLimit = "[{\"field_name\":\"code-package\",\"value\":\"" + "v".repeat(390_000) + "\"}]";
        assertThat(ok("POST", path + "/metadata", nearLimit).get("metadata_created").asInt()).isEqualTo(1);
    }

    @Test
    void usage_countsDynamoDbRequestsPerOperation_andAPlainCreateIsOneWrite() {
        MetadataApiHandler counted = new MetadataApiHandler(env.with("FLOWGATE_METADATA_STATS", "true"));
        String flow = flowName("Usage");
        counted.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/flows/" + flow).withBody("{}"), null);
        counted.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("DELETE").withPath("/_flowgate/dynamodb-usage"), null);
        counted.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/flows/" + flow + "/run").withBody("{}"), null);
        JsonNode usage = FlowgateJson.parse(counted.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withPath("/_flowgate/dynamodb-usage"), null).getBody());
        assertThat(usage.get("UpdateItem").get("requests").asLong()).isEqualTo(1);   // the flow's run counter
        assertThat(usage.get("PutItem").get("requests").asLong()).isEqualTo(1);      // the run, conditional
        assertThat(usage.has("Scan")).isFalse();
        assertThat(http("GET", "/_flowgate/dynamodb-usage", null).getStatusCode()).isEqualTo(404); // off by default
    }

    @Test
    void createRun_whenAnEarlierCreatorDiedBetweenClaimAndPut_theNextRacerRepairsItSoTheGetAfter409Works() {
        String flow = flowName("Repair");
        http("POST", "/flows/" + flow, "{}");
        // an alias claimed by a creator that never wrote its run item (number 77 was never allocated to anyone else)
        dynamo.putItem(r -> r.tableName(tableName).item(java.util.Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("FLOW#" + flow),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("RUNID#argo-orphan"),
                "run_number", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("77"))));
        assertThat(http("GET", "/flows/" + flow + "/runs/argo-orphan", null).getStatusCode()).isEqualTo(404);
        assertThat(http("POST", "/flows/" + flow + "/run", "{\"run_number\":\"argo-orphan\",\"tags\":[\"t\"]}")
                .getStatusCode()).isEqualTo(409);
        JsonNode run = FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/argo-orphan", null).getBody());
        assertThat(run.get("run_number").asText()).isEqualTo("argo-orphan");
        assertThat(run.get("tags").toString()).isEqualTo("[\"t\"]");
    }

    @Test
    void heartbeat_distinguishesAFreshObjectFromAMissingOne() {
        String flow = flowName("Beat");
        long run = newRun(flow);
        long now = clock.millis() / 1000 + 100;
        assertThat(store.heartbeatRun(flow, run, now, now - 10)).isEqualTo(Heartbeat.UPDATED);
        assertThat(store.heartbeatRun(flow, run, now + 5, now - 5)).isEqualTo(Heartbeat.FRESH);
        assertThat(store.heartbeatRun(flow, run + 1000, now + 5, now - 5)).isEqualTo(Heartbeat.MISSING);
    }
}

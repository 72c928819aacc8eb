package dev.flowgate.metadata.adapter;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.ProxyRequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.RequestIdentity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.metadata.handler.MetadataApiHandler;
import dev.flowgate.metadata.handler.TagTrustContract;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tag trust on DynamoDB (moto, real wire protocol), plus the Lambda handler's wiring: the caller comes from the
 * API Gateway request context and the settings from the environment; racing gate taggers leave one record.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbTagTrustIT extends TagTrustContract {
    private DynamoDbClient dynamo;
    private DynamoDbMetadataStore store;
    private MetadataApiHandler handler;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        FlowgateResources resources = new FlowgateResources(AwsEmulator.uniqueName("tt"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), resources)) {
            provisioner.createTable(FlowgateResources.METADATA);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        store = new DynamoDbMetadataStore(dynamo, resources.tableName(FlowgateResources.METADATA));
        Environment env = emulator.environment(resources.prefix()).with("POWERTOOLS_LOG_LEVEL", "WARN")
                .with("FLOWGATE_PRODUCTION_CALLERS", "sfn-jobs").with("FLOWGATE_GATE_TAGGERS", "ann,bob");
        handler = new MetadataApiHandler(env);
    }

    @AfterAll
    void close() {
        dynamo.close();
    }

    @Override
    protected MetadataStore store() {
        return store;
    }

    private APIGatewayProxyResponseEvent http(String method, String path, String body, String principal) {
        ProxyRequestContext context = new ProxyRequestContext().withIdentity(new RequestIdentity());
        if (principal != null) {
            context.setAuthorizer(Map.of("principalId", principal));
        }
        return handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path).withBody(body)
                .withRequestContext(context), null);
    }

    @Test
    void handler_takesTheCallerFromTheRequestContext_andTheRulesFromTheEnvironment() {
        String flow = "Wired" + System.nanoTime();
        http("POST", "/flows/" + flow, "{}", "ann");
        String sfn = "{\"run_number\":\"sfn-1\",\"user_name\":\"SFN\",\"system_tags\":[\"production:t0k\"]}";
        APIGatewayProxyResponseEvent spoof = http("POST", "/flows/" + flow + "/run", sfn, "ann");
        assertThat(spoof.getStatusCode()).isEqualTo(422);
        assertThat(spoof.getBody()).contains("production:t0k", "ann");
        assertThat(http("POST", "/flows/" + flow + "/run", sfn, "sfn-jobs").getStatusCode()).isEqualTo(200);

        String tagged = "{\"user_name\":\"carol\",\"tags\":[\"prod_ready\"],\"system_tags\":[\"user:carol\"]}";
        assertThat(http("POST", "/flows/" + flow + "/run", tagged, "carol").getStatusCode()).isEqualTo(403);
        APIGatewayProxyResponseEvent ok = http("POST", "/flows/" + flow + "/run", tagged, "bob");
        assertThat(ok.getStatusCode()).isEqualTo(200);
        long run = FlowgateJson.parse(ok.getBody()).get("run_number").asLong();
        JsonNode gate = FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/" + run + "/flowgate/gate", null, "ann")
                .getBody());
        assertThat(gate.get("tagged_by").asText()).isEqualTo("bob");
        assertThat(gate.get("user_name").asText()).isEqualTo("carol");
    }

    @Test
    void racingGateTaggers_leaveExactlyOneRecord_theFirstWritersAndTheTagOnce() throws Exception {
        String flow = "Race" + System.nanoTime();
        http("POST", "/flows/" + flow, "{}", "ann");
        long run = FlowgateJson.parse(http("POST", "/flows/" + flow + "/run", "{\"user_name\":\"ann\"}", "ann").getBody())
                .get("run_number").asLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String who = i % 2 == 0 ? "ann" : "bob";
                results.add(pool.submit(() -> http("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate",
                        "{\"tags_to_add\":[\"prod_ready\"]}", who).getStatusCode()));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode gate = FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/" + run + "/flowgate/gate", null, "ann")
                .getBody());
        assertThat(gate.get("tagged_by").asText()).isIn("ann", "bob");
        String first = gate.get("tagged_by").asText();
        http("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate", "{\"tags_to_remove\":[\"prod_ready\"]}", "ann");
        http("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate", "{\"tags_to_add\":[\"prod_ready\"]}",
                first.equals("ann") ? "bob" : "ann");
        assertThat(FlowgateJson.parse(http("GET", "/flows/" + flow + "/runs/" + run + "/flowgate/gate", null, "ann")
                .getBody()).get("tagged_by").asText()).isEqualTo(first);
    }
}

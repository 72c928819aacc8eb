package dev.flowgate.metadata.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.metadata.domain.Caller;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.domain.TagTrustPolicy;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tag trust through the HTTP surface, on any store (in-memory: {@code TagTrustTest}; DynamoDB on the emulator:
 * {@code DynamoDbTagTrustIT}): the gate tag is never a system tag, {@code user:}/{@code production:} system tags
 * are not spoofable, the real client's own system tags pass, and who first added {@code prod_ready} is recorded in
 * the same write and never overwritten.
 */
public abstract class TagTrustContract {
    /** What Metaflow 2.19.39's client sends as system tags for a local run by user ann (resolve_identity + env). */
    static final String CLIENT_SYS = "[\"user:ann\",\"runtime:dev\",\"python_version:3.11.9\",\"metaflow_version:2.19.39\"]";
    /** What a Step Functions task sends: METAFLOW_PRODUCTION_TOKEN set, METAFLOW_USER=SFN. */
    static final String SFN_SYS = "[\"production:helloflow-0-abcd\",\"runtime:step-functions\",\"metaflow_version:2.19.39\"]";
    static final Caller ANN = new Caller("ann-laptop", "authorizer");
    static final Caller BOB = new Caller("bob-laptop", "authorizer");
    static final Caller JOBS = new Caller("sfn-jobs", "authorizer");

    protected MetadataApi api;
    protected MetadataApi restricted;
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-05T21:00:00Z"), ZoneOffset.UTC);

    protected abstract MetadataStore store();

    @BeforeEach
    void buildApis() {
        api = new MetadataApi(MetadataRoutes.build(new MetadataService(store(), clock,
                TagTrustPolicy.fromSettings("sfn-jobs", null))));
        restricted = new MetadataApi(MetadataRoutes.build(new MetadataService(store(), clock,
                TagTrustPolicy.fromSettings("sfn-jobs", "ann-laptop, release-bot"))));
    }

    private static String flowName(String base) {
        return base + Long.toString(System.nanoTime(), 36).toUpperCase();
    }

    private String newFlow(String base) {
        String flow = flowName(base);
        assertThat(api.serve("POST", "/flows/" + flow, Map.of(), "{}", ANN).status()).isEqualTo(200);
        return flow;
    }

    private static JsonNode json(MetadataApi.HttpReply reply) {
        return FlowgateJson.parse(reply.body());
    }

    private MetadataApi.HttpReply createRun(MetadataApi on, String flow, String body, Caller caller) {
        return on.serve("POST", "/flows/" + flow + "/run", Map.of(), body, caller);
    }

    private int runCount(String flow) {
        return json(api.serve("GET", "/flows/" + flow + "/runs", Map.of(), null, ANN)).size();
    }

    private static void assertRefused(MetadataApi.HttpReply reply, int status, String tag) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(json(reply).get("message").asText()).contains("'" + tag);
        assertThat(json(reply).get("field").asText()).isNotBlank();
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void createRun_withProdReadyAsSystemTag_is422NamingTheTag_andStoresNothing() {
        String flow = newFlow("Gate");
        MetadataApi.HttpReply reply = createRun(api, flow, "{\"user_name\":\"ann\",\"system_tags\":"
                + "[\"user:ann\",\"prod_ready\"]}", ANN);
        assertRefused(reply, 422, "prod_ready");
        assertThat(json(reply).get("field").asText()).isEqualTo("system_tags");
        assertThat(runCount(flow)).isZero();
    }

    @Test
    void createRun_withSomeoneElsesUserSystemTag_is422_andStoresNothing() {
        String flow = newFlow("Spoof");
        assertRefused(createRun(api, flow, "{\"user_name\":\"ann\",\"system_tags\":[\"user:carol\"]}", ANN), 422, "user:carol");
        assertRefused(createRun(api, flow, "{\"system_tags\":[\"user:carol\"]}", ANN), 422, "user:carol");
        assertRefused(createRun(api, flow, "{\"user_name\":\"ann\",\"system_tags\":[\"user:ann\",\"user:carol\"]}", ANN),
                422, "user:");
        assertThat(runCount(flow)).isZero();
    }

    @Test
    void createRun_withProductionSystemTag_fromACallerNotListed_is422_andStoresNothing() {
        String flow = newFlow("Prod");
        assertRefused(createRun(api, flow, "{\"user_name\":\"SFN\",\"system_tags\":" + SFN_SYS + "}", ANN), 422,
                "production:helloflow-0-abcd");
        assertRefused(createRun(api, flow, "{\"user_name\":\"SFN\",\"system_tags\":" + SFN_SYS + "}", Caller.UNKNOWN),
                422, "production:");
        assertThat(runCount(flow)).isZero();
    }

    @Test
    void createStepAndTask_withSpoofedSystemTags_are422() {
        String flow = newFlow("Desc");
        long run = json(createRun(api, flow, "{\"user_name\":\"ann\",\"system_tags\":" + CLIENT_SYS + "}", ANN))
                .get("run_number").asLong();
        String step = "/flows/" + flow + "/runs/" + run + "/steps/start";
        assertRefused(api.serve("POST", step + "/step", Map.of(), "{\"system_tags\":[\"prod_ready\"]}", ANN), 422, "prod_ready");
        assertThat(api.serve("POST", step + "/step", Map.of(), "{\"user_name\":\"ann\",\"system_tags\":" + CLIENT_SYS + "}",
                ANN).status()).isEqualTo(200);
        assertRefused(api.serve("POST", step + "/task", Map.of(), "{\"system_tags\":[\"user:ann\",\"prod_ready\"]}", ANN),
                422, "prod_ready");
        assertRefused(api.serve("POST", step + "/task", Map.of(), "{\"system_tags\":[\"production:x\"]}", ANN), 422,
                "production:x");
        assertRefused(api.serve("POST", step + "/task", Map.of(), "{\"system_tags\":[\"user:eve\"]}", ANN), 422, "user:eve");
        assertThat(json(api.serve("GET", step + "/tasks", Map.of(), null, ANN)).size()).isZero();
    }

    // ------------------------------------------------------------------ legitimate paths

    @Test
    void theRealClientsOwnSystemTags_areAccepted_forRunsStepsAndTasks() {
        String flow = newFlow("Real");
        JsonNode run = json(createRun(api, flow, "{\"flow_id\":\"" + flow + "\",\"user_name\":\"ann\",\"tags\":[\"team\"],"
                + "\"system_tags\":" + CLIENT_SYS + "}", Caller.UNKNOWN));
        assertThat(run.get("system_tags").toString()).contains("user:ann", "runtime:dev");
        String step = "/flows/" + flow + "/runs/" + run.get("run_number").asLong() + "/steps/start";
        assertThat(api.serve("POST", step + "/step", Map.of(), "{\"user_name\":\"ann\",\"system_tags\":" + CLIENT_SYS + "}",
                Caller.UNKNOWN).status()).isEqualTo(200);
        assertThat(api.serve("POST", step + "/task", Map.of(), "{\"user_name\":\"ann\",\"system_tags\":" + CLIENT_SYS + "}",
                Caller.UNKNOWN).status()).isEqualTo(200);
    }

    @Test
    void productionSystemTags_fromTheProductionCaller_areAccepted_likeAStepFunctionsTask() {
        String flow = newFlow("Sfn");
        JsonNode run = json(createRun(api, flow, "{\"run_number\":\"sfn-abc\",\"user_name\":\"SFN\",\"system_tags\":"
                + SFN_SYS + "}", JOBS));
        assertThat(run.get("system_tags").toString()).contains("production:helloflow-0-abcd");
        String step = "/flows/" + flow + "/runs/sfn-abc/steps/start";
        assertThat(api.serve("POST", step + "/step", Map.of(), "{\"user_name\":\"SFN\",\"system_tags\":" + SFN_SYS + "}",
                JOBS).status()).isEqualTo(200);
        assertThat(api.serve("POST", step + "/task", Map.of(), "{\"task_id\":\"job-1\",\"user_name\":\"SFN\",\"system_tags\":"
                + SFN_SYS + "}", JOBS).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ who added the gate tag

    @Test
    void createRun_withProdReadyAsUserTag_recordsTheCallerAndTime() {
        String flow = newFlow("Rec");
        long run = json(createRun(api, flow, "{\"user_name\":\"ann\",\"tags\":[\"prod_ready\"],\"system_tags\":"
                + CLIENT_SYS + "}", ANN)).get("run_number").asLong();
        JsonNode gate = json(api.serve("GET", "/flows/" + flow + "/runs/" + run + "/flowgate/gate", Map.of(), null, BOB));
        assertThat(gate.get("tagged_by").asText()).isEqualTo("ann-laptop");
        assertThat(gate.get("caller_kind").asText()).isEqualTo("authorizer");
        assertThat(gate.get("user_name").asText()).isEqualTo("ann");
        assertThat(gate.get("via").asText()).isEqualTo("run_creation");
        assertThat(gate.get("tagged_at").asLong()).isEqualTo(clock.millis());
        assertThat(gate.get("still_tagged").asBoolean()).isTrue();
    }

    @Test
    void gateRecord_isWrittenExactlyWhenProdReadyIsAdded_andNeverOverwrittenByALaterReAdd() {
        String flow = newFlow("Mut");
        long run = json(createRun(api, flow, "{\"user_name\":\"ann\",\"system_tags\":" + CLIENT_SYS + "}", ANN))
                .get("run_number").asLong();
        String runPath = "/flows/" + flow + "/runs/" + run;
        assertThat(api.serve("GET", runPath + "/flowgate/gate", Map.of(), null, ANN).status()).isEqualTo(404);
        api.serve("PATCH", runPath + "/tag/mutate", Map.of(), "{\"tags_to_add\":[\"other\"]}", BOB);
        assertThat(api.serve("GET", runPath + "/flowgate/gate", Map.of(), null, ANN).status())
                .as("a tag other than prod_ready records nothing").isEqualTo(404);

        assertThat(api.serve("PATCH", runPath + "/tag/mutate", Map.of(), "{\"tags_to_add\":[\"prod_ready\"]}", BOB)
                .status()).isEqualTo(200);
        JsonNode first = json(api.serve("GET", runPath + "/flowgate/gate", Map.of(), null, ANN));
        assertThat(first.get("tagged_by").asText()).isEqualTo("bob-laptop");
        assertThat(first.get("via").asText()).isEqualTo("tag_mutation");

        api.serve("PATCH", runPath + "/tag/mutate", Map.of(), "{\"tags_to_add\":[\"prod_ready\"]}", ANN);
        api.serve("PATCH", runPath + "/tag/mutate", Map.of(), "{\"tags_to_remove\":[\"prod_ready\"]}", ANN);
        assertThat(json(api.serve("GET", runPath + "/flowgate/gate", Map.of(), null, ANN)).get("still_tagged").asBoolean())
                .isFalse();
        api.serve("PATCH", runPath + "/tag/mutate", Map.of(),
                "{\"tags_to_add\":[\"prod_ready\"],\"tags_to_remove\":[\"other\"]}", ANN);
        JsonNode after = json(api.serve("GET", runPath + "/flowgate/gate", Map.of(), null, ANN));
        assertThat(after.get("tagged_by").asText()).as("the first tagger stays").isEqualTo("bob-laptop");
        assertThat(after.get("still_tagged").asBoolean()).isTrue();
        assertThat(json(api.serve("GET", runPath, Map.of(), null, ANN)).get("tags").toString())
                .contains("prod_ready").doesNotContain("other");
    }

    @Test
    void gateTaggers_whenSet_refuseOthers403NamingTheTagAndTheSetting_andStoreNothing() {
        String flow = newFlow("Taggers");
        MetadataApi.HttpReply created = createRun(restricted, flow, "{\"user_name\":\"bob\",\"tags\":[\"prod_ready\"],"
                + "\"system_tags\":[\"user:bob\"]}", BOB);
        assertRefused(created, 403, "prod_ready");
        assertThat(json(created).get("message").asText()).contains("FLOWGATE_GATE_TAGGERS", "bob-laptop");
        assertThat(runCount(flow)).isZero();

        long run = json(createRun(restricted, flow, "{\"user_name\":\"bob\",\"system_tags\":[\"user:bob\"]}", BOB))
                .get("run_number").asLong();
        String mutate = "/flows/" + flow + "/runs/" + run + "/tag/mutate";
        assertRefused(restricted.serve("PATCH", mutate, Map.of(), "{\"tags_to_add\":[\"prod_ready\",\"x\"]}", BOB), 403,
                "prod_ready");
        assertRefused(restricted.serve("PATCH", mutate, Map.of(), "{\"tags_to_add\":[\"prod_ready\"]}", Caller.UNKNOWN),
                403, "prod_ready");
        assertThat(json(api.serve("GET", "/flows/" + flow + "/runs/" + run, Map.of(), null, ANN)).get("tags").size()).isZero();
        assertThat(restricted.serve("PATCH", mutate, Map.of(), "{\"tags_to_add\":[\"x\"]}", BOB).status())
                .as("other tags stay open to everyone").isEqualTo(200);

        assertThat(restricted.serve("PATCH", mutate, Map.of(), "{\"tags_to_add\":[\"prod_ready\"]}", ANN).status())
                .isEqualTo(200);
        assertThat(json(api.serve("GET", "/flows/" + flow + "/runs/" + run + "/flowgate/gate", Map.of(), null, ANN))
                .get("tagged_by").asText()).isEqualTo("ann-laptop");
    }
}

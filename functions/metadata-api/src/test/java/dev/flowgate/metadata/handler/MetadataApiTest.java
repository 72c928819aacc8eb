package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.fixture.InMemoryMetadataStore;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The API contract against the in-memory store: fast, no emulator. */
class MetadataApiTest extends MetadataApiContract {
    private final InMemoryMetadataStore store = new InMemoryMetadataStore();

    @Override
    protected MetadataStore store() {
        return store;
    }

    @Test
    void tagMutation_whenNothingChanges_writesNothing() {
        String flow = flowName("N");
        long run = newRun(flow);
        int before = store.writes();
        ok("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate", "{\"tags_to_add\":[\"team\"],\"tags_to_remove\":[\"absent\"]}");
        assertThat(store.writes()).isEqualTo(before);
    }

    @Test
    void jacksonLimits_deepNestingOrAHugeNumber_are400WithAMessage() {
        String flow = flowName("J");
        long run = newRun(flow);
        long task = newTask(flow, run, "start");
        String metadataPath = "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task + "/metadata";
        for (String body : List.of("[" + "[".repeat(5_000) + "]".repeat(5_000) + "]",
                "[{\"field_name\":\"x\",\"value\":" + "7".repeat(2_000) + "}]")) {
            MetadataApi.HttpReply reply = call("POST", metadataPath, body);
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(FlowgateJson.parse(reply.body()).path("message").asText()).contains("not valid JSON");
        }
    }

    @Test
    void trailingContentAfterTheJson_is400_andNothingIsCreated() {
        String flow = flowName("T");
        MetadataApi.HttpReply reply = call("POST", "/flows/" + flow, "{\"flow_id\":\"" + flow + "\"} garbage");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(call("GET", "/flows/" + flow, null).status()).isEqualTo(404);
    }

    @Test
    void createRun_withMoreThan50UserTags_is400NamingTags() {
        String flow = flowName("C");
        ok("POST", "/flows/" + flow, "{}");
        List<String> tags = IntStream.range(0, 2_000).mapToObj(i -> "t" + i).toList();
        MetadataApi.HttpReply reply = call("POST", "/flows/" + flow + "/run",
                FlowgateJson.write(Map.of("user_name", "ann", "tags", tags)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(FlowgateJson.parse(reply.body()).path("field").asText()).isEqualTo("tags");
        assertThat(ok("GET", "/flows/" + flow + "/runs", null)).isEmpty();
        List<String> fifty = IntStream.range(0, 50).mapToObj(i -> "t" + i).toList();
        ok("POST", "/flows/" + flow + "/run", FlowgateJson.write(Map.of("user_name", "ann", "tags", fifty)));
    }
}

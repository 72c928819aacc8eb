package dev.flowgate.metadata.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.metadata.domain.Flow;
import dev.flowgate.metadata.domain.NewRun;
import dev.flowgate.metadata.fixture.InMemoryMetadataStore;
import dev.flowgate.metadata.ui.UiReadService;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flowgate.metadata.port.MetadataStore;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing, envelope, paging links, filters and errors of the UI backend routes over the in-memory store. */
class UiBackendApiTest {
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final String BASE = "http://ui.example";
    private UiBackendApi api;

    @BeforeEach
    void setUp() {
        InMemoryMetadataStore store = new InMemoryMetadataStore();
        store.createFlow(new Flow("AFlow", "ann", NOW_MS - 100_000, null, null));
        store.createFlow(new Flow("BFlow", "bob", NOW_MS - 90_000, null, null));
        // AFlow runs 1..3 (1 old and silent = failed, 2 and 3 beating = running), BFlow run 1 tagged "x"
        store.createRun(new NewRun("AFlow", null, "ann", NOW_MS - 80_000, Set.of(), Set.of("user:ann"), NOW_MS / 1000 - 1000));
        store.createRun(new NewRun("AFlow", null, "ann", NOW_MS - 70_000, Set.of("x"), Set.of("user:ann"), NOW_MS / 1000));
        store.createRun(new NewRun("AFlow", null, "SFN", NOW_MS - 60_000, Set.of(), Set.of("production:t"), NOW_MS / 1000));
        store.createRun(new NewRun("BFlow", null, "bob", NOW_MS - 65_000, Set.of("x", "y"), Set.of("user:bob"), NOW_MS / 1000));
        api = new UiBackendApi(new UiReadService(store, Clock.fixed(Instant.ofEpochMilli(NOW_MS), ZoneOffset.UTC)));
    }

    private JsonNode get(String path, Map<String, String> query, int status) {
        MetadataApi.HttpReply reply = api.serve("GET", path, query, BASE);
        assertEquals(status, reply.status(), reply.body());
        return FlowgateJson.parse(reply.body());
    }

    private static Map<String, String> query(String... kv) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            q.put(kv[i], kv[i + 1]);
        }
        return q;
    }

    private static List<String> runs(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("data").forEach(r -> out.add(r.get("flow_id").asText() + "/" + r.get("run").asText()));
        return out;
    }

    @Test
    void runsAcrossFlowsAreOrderedAndPagedWithTheReferenceLinks() {
        JsonNode first = get("/api/runs", query("_order", "-ts_epoch", "_limit", "2"), 200);
        assertEquals(List.of("AFlow/3", "BFlow/1"), runs(first));
        assertEquals(BASE + "/api/runs?_order=-ts_epoch&_limit=2", first.get("links").get("self").asText());
        assertEquals(BASE + "/api/runs?_order=-ts_epoch&_limit=2&_page=2", first.get("links").get("next").asText());
        assertEquals(BASE + "/api/runs?_order=-ts_epoch&_limit=2&_page=1", first.get("links").get("prev").asText());
        assertEquals(2, first.get("pages").get("next").asInt());
        assertTrue(first.get("pages").get("last").isNull());

        JsonNode second = get("/api/runs", query("_order", "-ts_epoch", "_limit", "2", "_page", "2"), 200);
        assertEquals(List.of("AFlow/2", "AFlow/1"), runs(second));
        // status is derived for the page's runs only, and still present on each
        assertEquals("running", second.get("data").get(0).get("status").asText());
        assertEquals("failed", second.get("data").get(1).get("status").asText());
        assertEquals(NOW_MS / 1000 * 1000 - 1_000_000, second.get("data").get(1).get("finished_at").asLong());
        assertEquals(3, second.get("pages").get("next").asInt()); // a full page links a next one, as the reference does
        JsonNode third = get("/api/runs", query("_order", "-ts_epoch", "_limit", "2", "_page", "3"), 200);
        assertEquals(0, third.get("data").size());
        assertTrue(third.get("links").get("next").isNull());
        assertEquals(List.of("AFlow/1", "AFlow/2", "BFlow/1", "AFlow/3"), runs(get("/api/runs",
                query("_order", "+ts_epoch"), 200)));
    }

    @Test
    void runFiltersTagsStatusFlowAndColumnOperators() {
        assertEquals(List.of("AFlow/2", "BFlow/1"), runs(get("/api/runs", query("_tags", "x", "_order", "+ts_epoch"), 200)));
        assertEquals(List.of("BFlow/1"), runs(get("/api/runs", query("_tags", "x,y"), 200)));
        assertEquals(List.of("AFlow/2", "BFlow/1"), runs(get("/api/runs", query("_tags:any", "y,x", "_order", "+ts_epoch"), 200)));
        assertEquals(List.of("AFlow/1"), runs(get("/api/runs", query("status", "failed"), 200)));
        assertEquals(List.of("BFlow/1"), runs(get("/api/runs", query("flow_id", "BFlow"), 200)));
        assertEquals(List.of("AFlow/3", "AFlow/2"), runs(get("/api/runs", query("ts_epoch:ge", Long.toString(NOW_MS - 70_000),
                "flow_id", "AFlow", "_order", "-ts_epoch"), 200)));
        JsonNode sfn = get("/api/flows/AFlow/runs/3", Map.of(), 200).get("data");
        assertTrue(sfn.get("user").isNull()); // no user:<user_name> system tag (Step Functions runs)
        assertEquals("SFN", sfn.get("user_name").asText());
        assertEquals(3, sfn.get("run_number").asInt());
        assertTrue(sfn.get("run_id").isNull());
    }

    @Test
    void singleObjectsHaveTheShortEnvelope() {
        JsonNode body = get("/api/flows/AFlow", Map.of(), 200);
        assertEquals(List.of("data", "status", "links", "query"), fieldNames(body));
        assertEquals(BASE + "/api/flows/AFlow", body.get("links").get("self").asText());
        assertEquals(List.of("flow_id", "user_name", "ts_epoch", "tags", "system_tags"), fieldNames(body.get("data")));
    }

    @Test
    void errorsAre4xxNamingTheFieldNeverA500() {
        assertEquals("_limit", get("/api/runs", query("_limit", "ten"), 400).get("field").asText());
        assertEquals("_page", get("/api/flows", query("_page", "x"), 400).get("field").asText());
        assertEquals("_limit", get("/api/flows", query("_limit", "0"), 400).get("field").asText());
        get("/api/flows/Nope", Map.of(), 404);
        get("/api/flows/Nope/runs", Map.of(), 404);
        get("/api/flows/AFlow/runs/99", Map.of(), 404);
        get("/api/flows/AFlow/runs/1/steps/start", Map.of(), 404);
        get("/api/flows/AFlow/runs/1/steps/start/tasks", Map.of(), 404);
        get("/api/flows/AFlow/runs/1/steps/start/tasks/5/metadata", Map.of(), 404);
        get("/api/nothing/here", Map.of(), 404);
        assertEquals(405, api.serve("POST", "/api/flows", Map.of(), BASE).status());
    }

    @Test
    void badPagingInputIsRefusedBeforeAnyStoreRead() {
        InMemoryMetadataStore store = new InMemoryMetadataStore();
        AtomicInteger reads = new AtomicInteger();
        MetadataStore counted = (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                new Class<?>[]{MetadataStore.class}, (proxy, method, args) -> {
                    reads.incrementAndGet();
                    return method.invoke(store, args);
                });
        UiBackendApi counting = new UiBackendApi(new UiReadService(counted, Clock.systemUTC()));
        for (String path : List.of("/api/runs", "/api/flows", "/api/flows/A/runs", "/api/flows/A/runs/1/steps",
                "/api/flows/A/runs/1/steps/s/tasks", "/api/flows/A/runs/1/steps/s/tasks/1/metadata",
                "/api/flows/A/runs/1/steps/s/tasks/1/artifacts")) {
            assertEquals(400, counting.serve("GET", path, query("_limit", "x"), BASE).status(), path);
        }
        assertEquals(0, reads.get());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

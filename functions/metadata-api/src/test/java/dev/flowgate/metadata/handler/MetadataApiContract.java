package dev.flowgate.metadata.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.port.MetadataStore;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP behaviour Metaflow's client relies on, run against any {@link MetadataStore}: the in-memory fake
 * ({@code MetadataApiTest}) and DynamoDB on the emulator ({@code DynamoDbMetadataApiIT}).
 */
public abstract class MetadataApiContract {
    protected static final String SYS = "[\"user:ann\",\"runtime:dev\",\"metaflow_version:2.19.39\"]";
    protected MetadataApi api;
    protected MutableClock clock;

    protected abstract MetadataStore store();

    @BeforeEach
    void buildApi() {
        clock = new MutableClock(Instant.parse("2026-11-29T00:00:00Z"));
        api = new MetadataApi(MetadataRoutes.build(new MetadataService(store(), clock)));
    }

    protected MetadataApi.HttpReply call(String method, String path, String body) {
        return api.serve(method, path, Map.of(), body);
    }

    protected JsonNode ok(String method, String path, String body) {
        MetadataApi.HttpReply reply = call(method, path, body);
        assertThat(reply.status()).as(method + " " + path + " -> " + reply.body()).isEqualTo(200);
        return FlowgateJson.parse(reply.body());
    }

    protected long newRun(String flow) {
        if (call("GET", "/flows/" + flow, null).status() == 404) {
            ok("POST", "/flows/" + flow, "{\"flow_id\":\"" + flow + "\"}");
        }
        return ok("POST", "/flows/" + flow + "/run", "{\"user_name\":\"ann\",\"tags\":[\"team\"],\"system_tags\":" + SYS + "}")
                .get("run_number").asLong();
    }

    protected long newTask(String flow, long run, String step) {
        String stepPath = "/flows/" + flow + "/runs/" + run + "/steps/" + step;
        if (call("GET", stepPath, null).status() == 404) {
            ok("POST", stepPath + "/step", "{}");
        }
        return ok("POST", stepPath + "/task", "{\"system_tags\":" + SYS + "}").get("task_id").asLong();
    }

    protected String flowName(String base) {
        return base + Long.toString(System.nanoTime(), 36).toUpperCase();
    }

    // ------------------------------------------------------------------ admin, routing, errors

    @Test
    void ping_always_answersPongWithTheServiceVersionHeader() {
        MetadataApi.HttpReply reply = call("GET", "/ping", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("pong");
        assertThat(reply.headers()).containsEntry("METADATA_SERVICE_VERSION", "2.5.1");
    }

    @Test
    void routing_whenPathUnknownOrMethodWrong_is404Or405() {
        assertThat(call("GET", "/nothing/here", null).status()).isEqualTo(404);
        MetadataApi.HttpReply wrong = call("DELETE", "/flows/SomeFlow", null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.headers().get("Allow")).isEqualTo("GET, POST");
    }

    @Test
    void badInput_is400NamingTheField_neverA500() {
        String flow = flowName("Bad");
        assertThat(call("POST", "/flows/" + flow, "{not json").body()).contains("\"field\":\"body\"");
        assertThat(call("POST", "/flows/" + flow, "{not json").status()).isEqualTo(400);
        assertThat(call("POST", "/flows/9" + flow, "{}").body()).contains("\"field\":\"flow_id\"");
        ok("POST", "/flows/" + flow, "{}");
        MetadataApi.HttpReply tags = call("POST", "/flows/" + flow + "/run", "{\"tags\":\"a\"}");
        assertThat(tags.status()).isEqualTo(400);
        assertThat(tags.body()).contains("\"field\":\"tags\"");
        MetadataApi.HttpReply numeric = call("POST", "/flows/" + flow + "/run", "{\"run_number\":\"123\"}");
        assertThat(numeric.status()).isEqualTo(400);
        assertThat(numeric.body()).contains("run_number");
        assertThat(call("GET", "/flows/" + flow + "/runs/a%2Fb/steps/x_y%", null).status()).isEqualTo(400);
        assertThat(call("POST", "/flows/" + flow + "/run", "[1]").status()).isEqualTo(400);
    }

    @Test
    void unicodeIdentifiers_asPythonAllowsThem_runEndToEnd_whileUnsafeNamesAreRefused() {
        String flow = "Fl\u00fc\u00dfFlow" + flowName("");
        ok("POST", "/flows/" + flow, "{}");
        long run = newRun(flow);
        String step = "schritt_\u00e4_\u0394";
        long task = newTask(flow, run, step);
        String taskPath = "/flows/" + flow + "/runs/" + run + "/steps/" + step + "/tasks/" + task;
        ok("POST", taskPath + "/metadata", "[{\"field_name\":\"attempt\",\"value\":\"0\",\"tags\":[\"attempt_id:0\"]}]");
        ok("POST", taskPath + "/artifact", "[{\"name\":\"name\",\"location\":\"l\",\"attempt_id\":0}]");
        assertThat(ok("GET", "/flows/" + flow, null).get("flow_id").asText()).isEqualTo(flow);
        assertThat(ok("GET", taskPath, null).get("step_name").asText()).isEqualTo(step);
        assertThat(ok("GET", taskPath + "/metadata", null)).hasSize(1);
        assertThat(ok("GET", taskPath + "/artifacts/name", null).get("location").asText()).isEqualTo("l");
        for (String bad : List.of("Flow\u0007Bell", "Flow-Dash", "Flow Space", "9Flow", "\u00fcber\u200bFlow", "x".repeat(256))) {
            MetadataApi.HttpReply reply = call("POST", "/flows/" + bad, "{}");
            assertThat(reply.status()).as(bad).isEqualTo(400);
            assertThat(reply.body()).contains("\"field\":\"flow_id\"");
        }
        assertThat(call("POST", "/flows/" + flow + "/runs/" + run + "/steps/bad\u0000step/step", "{}").status())
                .isEqualTo(400);
    }

    // ------------------------------------------------------------------ flows and runs

    @Test
    void createFlow_twice_isConflict_andGetReturnsIt() {
        String flow = flowName("F");
        assertThat(call("GET", "/flows/" + flow, null).status()).isEqualTo(404);
        JsonNode created = ok("POST", "/flows/" + flow, "{\"flow_id\":\"" + flow + "\",\"ts_epoch\":1}");
        assertThat(created.get("flow_id").asText()).isEqualTo(flow);
        assertThat(created.get("ts_epoch").asLong()).isEqualTo(clock.millis());
        assertThat(created.get("tags").isNull()).isTrue();
        assertThat(call("POST", "/flows/" + flow, "{}").status()).isEqualTo(409);
        assertThat(ok("GET", "/flows/" + flow, null)).isEqualTo(created);
        assertThat(ok("GET", "/flows", null).findValuesAsText("flow_id")).contains(flow);
    }

    @Test
    void createRun_withoutId_allocatesIncreasingNumbers_andSetsHeartbeatForCapableClients() {
        String flow = flowName("R");
        long first = newRun(flow);
        long second = newRun(flow);
        assertThat(second).isGreaterThan(first);
        JsonNode run = ok("GET", "/flows/" + flow + "/runs/" + second, null);
        assertThat(run.get("run_number").isNumber()).isTrue();
        assertThat(run.get("last_heartbeat_ts").asLong()).isEqualTo(clock.millis() / 1000);
        assertThat(run.get("system_tags").toString()).contains("user:ann");
        JsonNode old = ok("POST", "/flows/" + flow + "/run", "{\"system_tags\":[\"metaflow_version:2.0.1\"]}");
        assertThat(old.get("last_heartbeat_ts").isNull()).isTrue();
        assertThat(ok("GET", "/flows/" + flow + "/runs", null)).hasSize(3);
        assertThat(call("GET", "/flows/" + flow + "/runs/999999", null).status()).isEqualTo(404);
        assertThat(ok("GET", "/flows/NoSuchFlowAtAll/runs", null)).isEmpty();
    }

    @Test
    void createRun_withStringId_exposesTheString_andADuplicateIsConflict() {
        String flow = flowName("S");
        ok("POST", "/flows/" + flow, "{}");
        JsonNode run = ok("POST", "/flows/" + flow + "/run", "{\"run_number\":\"sfn-abc\",\"user_name\":\"ann\",\"system_tags\":" + SYS + "}");
        assertThat(run.get("run_number").asText()).isEqualTo("sfn-abc");
        assertThat(run.get("run_number").isTextual()).isTrue();
        assertThat(call("POST", "/flows/" + flow + "/run", "{\"run_number\":\"sfn-abc\"}").status()).isEqualTo(409);
        assertThat(ok("GET", "/flows/" + flow + "/runs/sfn-abc", null).get("run_number").asText()).isEqualTo("sfn-abc");
        assertThat(call("POST", "/flows/NoSuchFlow" + flow + "/run", "{}").status()).isEqualTo(404);
    }

    @Test
    void heartbeat_answersADoubleEncodedBody_andOnlyMovesAStaleHeartbeat() {
        String flow = flowName("H");
        long run = newRun(flow);
        long before = ok("GET", "/flows/" + flow + "/runs/" + run, null).get("last_heartbeat_ts").asLong();
        clock.advanceSeconds(5);
        MetadataApi.HttpReply fresh = call("POST", "/flows/" + flow + "/runs/" + run + "/heartbeat", "{}");
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(fresh.body()).isEqualTo("\"{\\\"wait_time_in_seconds\\\": 10}\"");
        assertThat(FlowgateJson.parse(FlowgateJson.parse(fresh.body()).asText()).get("wait_time_in_seconds").asInt()).isEqualTo(10);
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run, null).get("last_heartbeat_ts").asLong()).isEqualTo(before);
        clock.advanceSeconds(10);
        ok("POST", "/flows/" + flow + "/runs/" + run + "/heartbeat", "{}");
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run, null).get("last_heartbeat_ts").asLong()).isEqualTo(before + 15);
        assertThat(call("POST", "/flows/" + flow + "/runs/424242/heartbeat", "{}").status()).isEqualTo(404);

        long task = newTask(flow, run, "start");
        clock.advanceSeconds(30);
        String taskPath = "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task;
        assertThat(call("POST", taskPath + "/heartbeat", "{}").status()).isEqualTo(200);
        assertThat(ok("GET", taskPath, null).get("last_heartbeat_ts").asLong()).isEqualTo(clock.millis() / 1000);
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run, null).get("last_heartbeat_ts").asLong()).isEqualTo(clock.millis() / 1000);
    }

    // ------------------------------------------------------------------ steps and tasks

    @Test
    void steps_andTasks_carryTheRunsCurrentTags_andDuplicatesConflict() {
        String flow = flowName("T");
        long run = newRun(flow);
        String runPath = "/flows/" + flow + "/runs/" + run;
        assertThat(call("POST", "/flows/" + flow + "/runs/77777/steps/start/step", "{}").status()).isEqualTo(404);
        JsonNode step = ok("POST", runPath + "/steps/start/step", "{\"tags\":[\"ignored\"]}");
        assertThat(step.get("tags").toString()).isEqualTo("[\"team\"]");
        assertThat(call("POST", runPath + "/steps/start/step", "{}").status()).isEqualTo(409);
        assertThat(call("POST", runPath + "/steps/missing/task", "{}").status()).isEqualTo(404);

        JsonNode t1 = ok("POST", runPath + "/steps/start/task", "{}");
        JsonNode t2 = ok("POST", runPath + "/steps/start/task", "{}");
        assertThat(t1.get("task_id").isNumber()).isTrue();
        assertThat(t2.get("task_id").asLong()).isNotEqualTo(t1.get("task_id").asLong());
        JsonNode named = ok("POST", runPath + "/steps/start/task", "{\"task_id\":\"batch-job-1\"}");
        assertThat(named.get("task_id").asText()).isEqualTo("batch-job-1");
        assertThat(call("POST", runPath + "/steps/start/task", "{\"task_id\":\"batch-job-1\"}").status()).isEqualTo(409);
        MetadataApi.HttpReply numeric = call("POST", runPath + "/steps/start/task", "{\"task_id\":\"12\"}");
        assertThat(numeric.status()).isEqualTo(400);
        assertThat(numeric.body()).contains("provided task_name may not be a numeric");

        ok("PATCH", runPath + "/tag/mutate", "{\"tags_to_add\":[\"prod_ready\"]}");
        assertThat(ok("GET", runPath + "/steps/start/tasks/batch-job-1", null).get("tags").toString())
                .isEqualTo("[\"prod_ready\",\"team\"]");
        assertThat(ok("GET", runPath + "/steps", null)).hasSize(1);
        assertThat(ok("GET", runPath + "/steps/start/tasks", null)).hasSize(3);
        assertThat(call("GET", runPath + "/steps/start/tasks/99999", null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ artifacts and metadata

    @Test
    void artifacts_followTheLatestAttemptRule() {
        String flow = flowName("A");
        long run = newRun(flow);
        long task = newTask(flow, run, "train");
        String taskPath = "/flows/" + flow + "/runs/" + run + "/steps/train/tasks/" + task;
        ok("POST", taskPath + "/artifact", artifacts(0, "name", "x", "only_in_first"));
        JsonNode created = ok("POST", taskPath + "/artifact", artifacts(1, "name", "x"));
        assertThat(created.get("artifacts_created").asInt()).isEqualTo(2);

        JsonNode latest = ok("GET", taskPath + "/artifacts", null);
        assertThat(latest.findValuesAsText("name")).containsExactlyInAnyOrder("name", "x");
        assertThat(latest.findValues("attempt_id")).allMatch(v -> v.asInt() == 1);
        assertThat(latest.get(0).get("task_id").asLong()).isEqualTo(task);
        assertThat(latest.get(0).get("tags").toString()).isEqualTo("[\"team\"]");
        assertThat(ok("GET", taskPath + "/artifacts/x", null).get("location").asText()).isEqualTo("/ds/1/x");
        assertThat(call("GET", taskPath + "/artifacts/only_in_first", null).status()).isEqualTo(404);
        assertThat(ok("GET", taskPath + "/artifacts/only_in_first/attempt/0", null).get("attempt_id").asInt()).isZero();
        assertThat(ok("GET", taskPath + "/attempt/0/artifacts", null)).hasSize(3);
        assertThat(ok("GET", taskPath + "/attempt/5/artifacts", null)).isEmpty();
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run + "/artifacts", null)).hasSize(2);

        MetadataApi.HttpReply unregistered = call("POST", "/flows/" + flow + "/runs/" + run + "/steps/train/tasks/999999/artifact",
                artifacts(0, "x"));
        assertThat(unregistered.status()).isEqualTo(400);
        assertThat(unregistered.body()).contains("need to register run_id and task_id first");
    }

    @Test
    void metadata_isAppendOnly_newestFirst_andFilteredTasksSearchesValues() {
        String flow = flowName("M");
        long run = newRun(flow);
        long t1 = newTask(flow, run, "fan");
        long t2 = newTask(flow, run, "fan");
        String stepPath = "/flows/" + flow + "/runs/" + run + "/steps/fan";
        ok("POST", stepPath + "/tasks/" + t1 + "/metadata", join(metadata("attempt", "0", "attempt_id:0"),
                metadata("foreach-execution-path", "start/1:0,fan/2:0", "attempt_id:0")));
        clock.advanceSeconds(1);
        JsonNode created = ok("POST", stepPath + "/tasks/" + t1 + "/metadata", metadata("attempt_ok", "True", "attempt_id:0"));
        assertThat(created.get("metadata_created").asInt()).isEqualTo(1);
        ok("POST", stepPath + "/tasks/" + t2 + "/metadata", metadata("foreach-execution-path", "start/1:1,fan/3:0", "attempt_id:0"));

        ok("POST", stepPath + "/tasks/" + t2 + "/metadata",
                "[{\"field_name\":\"foreach-stack\",\"value\":[\"numbers=2\"],\"type\":\"foreach-stack\",\"tags\":[]}]");
        assertThat(ok("GET", stepPath + "/tasks/" + t2 + "/metadata", null).get(0).get("value").asText())
                .isEqualTo("[\"numbers=2\"]");

        JsonNode rows = ok("GET", stepPath + "/tasks/" + t1 + "/metadata", null);
        assertThat(rows.findValuesAsText("field_name")).containsExactly("attempt_ok", "foreach-execution-path", "attempt");
        assertThat(rows.get(0).get("id").asLong()).isGreaterThan(rows.get(1).get("id").asLong());
        assertThat(rows.get(0).get("tags").toString()).isEqualTo("[\"attempt_id:0\"]");

        assertThat(list(ok("GET", stepPath + "/filtered_tasks", null))).containsExactly(
                flow + "/" + run + "/fan/" + t1, flow + "/" + run + "/fan/" + t2);
        assertThat(list(FlowgateJson.parse(api.serve("GET", stepPath + "/filtered_tasks",
                Map.of("metadata_field_name", "foreach-execution-path", "pattern", "start/1:1"), null).body())))
                .containsExactly(flow + "/" + run + "/fan/" + t2);
        assertThat(api.serve("GET", stepPath + "/filtered_tasks", Map.of("pattern", "(unclosed"), null).status()).isEqualTo(400);
        assertThat(list(ok("GET", "/flows/" + flow + "/runs/4444/steps/fan/filtered_tasks", null))).isEmpty();
    }

    // ------------------------------------------------------------------ tag mutation

    @Test
    void artifacts_areImmutable_theFirstWriteWins_andRepostsAreSkippedNotCounted() {
        String flow = flowName("AI");
        long run = newRun(flow);
        long task = newTask(flow, run, "start");
        String path = "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task;
        assertThat(ok("POST", path + "/artifact", "[{\"name\":\"x\",\"location\":\"first\",\"attempt_id\":0},"
                + "{\"name\":\"x\",\"location\":\"second\",\"attempt_id\":0},"
                + "{\"name\":\"name\",\"location\":\"n\",\"attempt_id\":0}]").get("artifacts_created").asInt())
                .isEqualTo(2);
        assertThat(ok("POST", path + "/artifact", "[{\"name\":\"x\",\"location\":\"third\",\"attempt_id\":0},"
                + "{\"name\":\"y\",\"location\":\"new\",\"attempt_id\":0}]").get("artifacts_created").asInt())
                .isEqualTo(1);
        assertThat(ok("GET", path + "/artifacts/x", null).get("location").asText()).isEqualTo("first");
        assertThat(ok("GET", path + "/artifacts/y/attempt/0", null).get("location").asText()).isEqualTo("new");
        assertThat(ok("GET", path + "/artifacts", null)).hasSize(3);
    }

    @Test
    void metadataRows_carryTheirOwnTagsAndSystemTagsAsPosted_notTheRuns() {
        String flow = flowName("MT");
        long run = newRun(flow);
        long task = newTask(flow, run, "start");
        String path = "/flows/" + flow + "/runs/" + run + "/steps/start/tasks/" + task + "/metadata";
        ok("POST", path, "[{\"field_name\":\"a\",\"value\":\"1\",\"tags\":[\"attempt_id:0\"],"
                + "\"system_tags\":[\"row_sys:x\"]},{\"field_name\":\"b\",\"value\":\"2\",\"tags\":[\"attempt_id:1\"]}]");
        Map<String, JsonNode> byField = new java.util.HashMap<>();
        ok("GET", path, null).forEach(row -> byField.put(row.get("field_name").asText(), row));
        assertThat(byField.get("a").get("tags").toString()).isEqualTo("[\"attempt_id:0\"]");
        assertThat(byField.get("a").get("system_tags").toString()).isEqualTo("[\"row_sys:x\"]");
        assertThat(byField.get("b").get("system_tags").toString()).isEqualTo("[]");
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run + "/metadata", null).get(0).get("system_tags").toString())
                .doesNotContain("user:ann");
    }

    @Test
    void tagMutation_removesThenAdds_refusesSystemTags_andSkipsNoOps() {
        String flow = flowName("G");
        long run = newRun(flow);
        String mutate = "/flows/" + flow + "/runs/" + run + "/tag/mutate";
        assertThat(ok("PATCH", mutate, "{\"tags_to_add\":[\"a\",\"b\",\"user:ann\"]}").get("tags").toString())
                .isEqualTo("[\"a\",\"b\",\"team\"]");
        assertThat(ok("PATCH", mutate, "{\"tags_to_remove\":[\"a\",\"zzz\"]}").get("tags").toString())
                .isEqualTo("[\"b\",\"team\"]");
        assertThat(ok("PATCH", mutate, "{\"tags_to_add\":[\"c\"],\"tags_to_remove\":[\"b\",\"c\"]}").get("tags").toString())
                .isEqualTo("[\"c\",\"team\"]");
        MetadataApi.HttpReply system = call("PATCH", mutate, "{\"tags_to_remove\":[\"user:ann\"]}");
        assertThat(system.status()).isEqualTo(422);
        assertThat(system.body()).contains("tags_to_remove");
        assertThat(call("PATCH", mutate, "{\"tags_to_add\":\"x\"}").status()).isEqualTo(400);
        assertThat(call("PATCH", mutate, "{\"tags_to_add\":[1]}").status()).isEqualTo(400);
        assertThat(call("PATCH", mutate, "{\"tags_to_add\":[\"\"]}").status()).isEqualTo(400);
        assertThat(call("PATCH", "/flows/" + flow + "/runs/31337/tag/mutate", "{\"tags_to_add\":[\"x\"]}").status())
                .isEqualTo(404);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add("\"t" + i + "\"");
        }
        assertThat(call("PATCH", mutate, "{\"tags_to_add\":[" + String.join(",", many) + "]}").status()).isEqualTo(400);
        assertThat(ok("GET", "/flows/" + flow + "/runs/" + run, null).get("tags").toString()).isEqualTo("[\"c\",\"team\"]");
    }

    // ------------------------------------------------------------------ pagination (reference extension)

    @Test
    void listRuns_withLimit_pagesNewestFirst_withANextCursorUntilTheEnd() {
        String flow = flowName("P");
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(newRun(flow));
            clock.advanceSeconds(1);
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, String> query = cursor == null ? Map.of("_limit", "2") : Map.of("_limit", "2", "_cursor", cursor);
            MetadataApi.HttpReply reply = api.serve("GET", "/flows/" + flow + "/runs", query, null);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headers()).containsEntry("X-Limit", "2");
            FlowgateJson.parse(reply.body()).forEach(r -> seen.add(r.get("run_number").asLong()));
            cursor = reply.headers().get("X-Next-Cursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<Long> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        MetadataApi.HttpReply bad = api.serve("GET", "/flows/" + flow + "/runs", Map.of("_cursor", "not-a-cursor"), null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("Invalid cursor");
        assertThat(api.serve("GET", "/flows/" + flow + "/runs", Map.of("_limit", "zero"), null).status()).isEqualTo(400);
        assertThat(api.serve("GET", "/flows/" + flow + "/runs", Map.of(), null).headers()).doesNotContainKey("X-Limit");
    }

    // ------------------------------------------------------------------ helpers

    protected static String artifacts(int attempt, String... names) {
        List<String> items = new ArrayList<>();
        for (String name : names) {
            items.add("{\"name\":\"" + name + "\",\"attempt_id\":" + attempt + ",\"location\":\"/ds/" + attempt + "/" + name
                    + "\",\"ds_type\":\"local\",\"sha\":\"s" + name + "\",\"type\":\"metaflow.artifact\","
                    + "\"content_type\":\"gzip+pickle-v2\",\"user_name\":\"ann\"}");
        }
        return "[" + String.join(",", items) + "]";
    }

    protected static String metadata(String field, String value, String tag) {
        return "[{\"field_name\":\"" + field + "\",\"value\":\"" + value + "\",\"type\":\"" + field
                + "\",\"user_name\":\"ann\",\"tags\":[\"" + tag + "\"]}]";
    }

    protected static String join(String array1, String array2) {
        return array1.substring(0, array1.length() - 1) + "," + array2.substring(1);
    }

    protected static List<String> list(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** A clock tests move by hand. */
    protected static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

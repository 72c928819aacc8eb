package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.domain.Heartbeat;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.handler.Router.Raw;
import dev.flowgate.metadata.handler.Router.Reply;

import dev.flowgate.metadata.domain.Pagination;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The route table of the Metaflow metadata service (paths exactly as metaflow-service serves them). */
public final class MetadataRoutes {
    /** The reference version we are compatible with; the client gates heartbeats, attempts and tags on it. */
    public static final String SERVICE_VERSION = "2.5.1";
    private static final String FLOW = "/flows/{flow_id}";
    private static final String RUN = FLOW + "/runs/{run_number}";
    private static final String STEP = RUN + "/steps/{step_name}";
    private static final String TASK = STEP + "/tasks/{task_id}";
    /** The double-encoded heartbeat body: a JSON string whose content is JSON, as the client expects. */
    static final String HEARTBEAT_BODY = "{\"wait_time_in_seconds\": " + MetadataService.HEARTBEAT_WAIT_SECONDS + "}";

    private MetadataRoutes() {
    }

    public static Router build(MetadataService service) {
        return new Router()
                .add("GET", "/ping", c -> Reply.ok(new Raw("pong")))
                .add("GET", "/version", c -> Reply.ok(new Raw(SERVICE_VERSION)))
                .add("GET", "/healthcheck", c -> Reply.ok(Map.of("status", "UP")))

                .add("GET", "/flows", c -> paged(c, service.flows(), "flow_id"))
                .add("GET", FLOW, c -> Reply.ok(service.flow(c.param("flow_id"))))
                .add("POST", FLOW, c -> Reply.ok(service.createFlow(c.param("flow_id"), c.body())))

                .add("POST", FLOW + "/run", c -> Reply.ok(service.createRun(c.param("flow_id"), c.body(), c.caller())))
                .add("GET", FLOW + "/runs", c -> paged(c, service.runs(c.param("flow_id")), "run_number"))
                .add("GET", RUN, c -> Reply.ok(service.run(c.param("flow_id"), c.param("run_number"))))
                // Flowgate's own: who added the gate tag and when (the Metaflow client never calls it)
                .add("GET", RUN + "/flowgate/gate", c -> Reply.ok(service.gateTagging(c.param("flow_id"),
                        c.param("run_number"))))
                .add("POST", RUN + "/heartbeat", c -> heartbeat(service.heartbeatRun(c.param("flow_id"),
                        c.param("run_number"))))
                .add("PATCH", RUN + "/tag/mutate", c -> Reply.ok(service.mutateRunTags(c.param("flow_id"),
                        c.param("run_number"), c.body(), c.caller())))
                .add("GET", RUN + "/artifacts", c -> paged(c, service.artifacts(c.param("flow_id"),
                        c.param("run_number"), null), "task_id", "name"))
                .add("GET", RUN + "/metadata", c -> paged(c, service.runMetadata(c.param("flow_id"),
                        c.param("run_number")), "id"))

                .add("GET", RUN + "/steps", c -> Reply.ok(service.steps(c.param("flow_id"), c.param("run_number"))))
                .add("GET", STEP, c -> Reply.ok(service.step(c.param("flow_id"), c.param("run_number"),
                        c.param("step_name"))))
                .add("POST", STEP + "/step", c -> Reply.ok(service.createStep(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.body(), c.caller())))
                .add("GET", STEP + "/artifacts", c -> paged(c, service.artifacts(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name")), "task_id", "name"))
                .add("GET", STEP + "/filtered_tasks", c -> Reply.ok(service.filteredTasks(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.query("metadata_field_name"),
                        c.query("pattern"))))

                .add("GET", STEP + "/tasks", c -> paged(c, service.tasks(c.param("flow_id"), c.param("run_number"),
                        c.param("step_name")), "task_id"))
                .add("POST", STEP + "/task", c -> Reply.ok(service.createTask(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.body(), c.caller())))
                .add("GET", TASK, c -> Reply.ok(service.task(c.param("flow_id"), c.param("run_number"),
                        c.param("step_name"), c.param("task_id"))))
                .add("POST", TASK + "/heartbeat", c -> heartbeat(service.heartbeatTask(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"))))

                .add("POST", TASK + "/artifact", c -> Reply.ok(service.addArtifacts(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.body())))
                .add("GET", TASK + "/artifacts", c -> paged(c, service.artifacts(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), null), "task_id", "name"))
                .add("GET", TASK + "/attempt/{attempt_id}/artifacts", c -> Reply.ok(service.artifacts(
                        c.param("flow_id"), c.param("run_number"), c.param("step_name"), c.param("task_id"),
                        c.param("attempt_id"))))
                .add("GET", TASK + "/artifacts/{name}", c -> Reply.ok(service.artifact(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.param("name"), null)))
                .add("GET", TASK + "/artifacts/{name}/attempt/{attempt_id}", c -> Reply.ok(service.artifact(
                        c.param("flow_id"), c.param("run_number"), c.param("step_name"), c.param("task_id"),
                        c.param("name"), c.param("attempt_id"))))

                .add("POST", TASK + "/metadata", c -> Reply.ok(service.addMetadata(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.body())))
                .add("GET", TASK + "/metadata", c -> paged(c, service.metadata(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id")), "id"));
    }

    /**
     * A list as the client wants it (a bare array), or, when {@code _limit}/{@code _cursor} is given, one page of
     * it ordered by {@code ts_epoch} and {@code keys} descending, with {@code X-Limit} and {@code X-Next-Cursor}.
     */
    private static Reply paged(Router.Call call, List<Map<String, Object>> rows, String... keys) {
        if (!Pagination.requested(call.query())) {
            return Reply.ok(rows);
        }
        List<String> sortKeys = new ArrayList<>();
        sortKeys.add("ts_epoch");
        sortKeys.addAll(List.of(keys));
        Pagination.Page page = Pagination.page(rows, sortKeys, call.query("_limit"), call.query("_cursor"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Limit", Integer.toString(page.limit()));
        if (page.nextCursor() != null) {
            headers.put("X-Next-Cursor", page.nextCursor());
        }
        return new Reply(200, page.rows(), headers);
    }

    /** 200 when the object exists (written or still fresh), 404 when it does not; body double-encoded. */
    private static Reply heartbeat(Heartbeat outcome) {
        return new Reply(outcome == Heartbeat.MISSING ? 404 : 200, HEARTBEAT_BODY);
    }
}

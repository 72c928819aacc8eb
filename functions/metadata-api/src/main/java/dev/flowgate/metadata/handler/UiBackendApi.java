package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.domain.MetadataException;
import dev.flowgate.metadata.ui.UiQuery;
import dev.flowgate.metadata.ui.UiReadService;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.InvalidNameException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Metaflow UI backend's read routes (paths as {@code services/ui_backend_service/api/*.py} registers them,
 * served under {@code /api} as the UI expects) and its response envelope: {@code {data, status, links, pages,
 * query}} for lists, {@code {data, status, links:{self}, query}} for single objects (facts: {@code api/utils.py}
 * {@code format_response} / {@code format_response_list}: links are absolute, {@code _page} replaced in the
 * query string; next only when the page is full; last is always null since the reference never counts).
 */
public final class UiBackendApi {
    /** Where the UI backend is mounted (the UI calls {@code <origin>/api/...}). */
    public static final String PREFIX = "/api";
    private static final String FLOW = "/flows/{flow_id}";
    private static final String RUN = FLOW + "/runs/{run_number}";
    private static final String STEP = RUN + "/steps/{step_name}";
    private static final String TASK = STEP + "/tasks/{task_id}";

    private final Router router;

    public UiBackendApi(UiReadService service) {
        this.router = new Router()
                .add("GET", "/flows", c -> Router.Reply.ok(service.flows(c.query())))
                .add("GET", FLOW, c -> Router.Reply.ok(service.flow(c.param("flow_id"))))
                .add("GET", "/runs", c -> Router.Reply.ok(service.allRuns(c.query())))
                .add("GET", FLOW + "/runs", c -> Router.Reply.ok(service.runs(c.param("flow_id"), c.query())))
                .add("GET", RUN, c -> Router.Reply.ok(service.run(c.param("flow_id"), c.param("run_number"))))
                .add("GET", RUN + "/steps", c -> Router.Reply.ok(service.steps(c.param("flow_id"),
                        c.param("run_number"), c.query())))
                .add("GET", RUN + "/tasks", c -> Router.Reply.ok(service.runTasks(c.param("flow_id"),
                        c.param("run_number"), c.query())))
                .add("GET", STEP, c -> Router.Reply.ok(service.step(c.param("flow_id"), c.param("run_number"),
                        c.param("step_name"))))
                .add("GET", STEP + "/tasks", c -> Router.Reply.ok(service.tasks(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.query())))
                .add("GET", TASK, c -> Router.Reply.ok(service.task(c.param("flow_id"), c.param("run_number"),
                        c.param("step_name"), c.param("task_id"))))
                .add("GET", TASK + "/attempts", c -> Router.Reply.ok(service.taskAttempts(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.query())))
                .add("GET", TASK + "/metadata", c -> Router.Reply.ok(service.taskMetadata(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.query())))
                .add("GET", TASK + "/artifacts", c -> Router.Reply.ok(service.taskArtifacts(c.param("flow_id"),
                        c.param("run_number"), c.param("step_name"), c.param("task_id"), c.query())));
    }

    /**
     * @param path    the request path, with or without the {@link #PREFIX}
     * @param baseUrl scheme and host the client used (e.g. {@code http://127.0.0.1:8080}), for the links
     */
    public MetadataApi.HttpReply serve(String method, String path, Map<String, String> query, String baseUrl) {
        String local = path.startsWith(PREFIX + "/") || path.equals(PREFIX) ? path.substring(PREFIX.length()) : path;
        Map<String, String> q = query == null ? Map.of() : query;
        Router.Match match = router.match(method, local);
        if (!match.found()) {
            if (!match.allowed().isEmpty()) {
                Map<String, String> headers = headers();
                headers.put("Allow", String.join(", ", match.allowed()));
                return new MetadataApi.HttpReply(405, headers, error(405, method + " is not allowed on " + path, null), null);
            }
            return new MetadataApi.HttpReply(404, headers(), error(404, "no route for " + method + " " + path, null), null);
        }
        String route = match.route().method() + " " + PREFIX + match.route().template();
        String self = baseUrl + PREFIX + local;
        try {
            Object body = match.route().action().handle(new Router.Call(match.params(), q, null)).body();
            Map<String, Object> envelope = body instanceof UiQuery.Page page ? list(page, self, q) : single(body, self, q);
            return new MetadataApi.HttpReply(200, headers(), FlowgateJson.write(envelope), route);
        } catch (MetadataException e) {
            return new MetadataApi.HttpReply(e.status(), headers(), error(e.status(), e.getMessage(), e.field()), route);
        } catch (InvalidNameException e) {
            return new MetadataApi.HttpReply(400, headers(), error(400, e.getMessage(), e.field()), route);
        }
    }

    private static Map<String, Object> single(Object data, String self, Map<String, String> query) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("data", data);
        envelope.put("status", 200);
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", self + queryString(query, null));
        envelope.put("links", links);
        envelope.put("query", query);
        return envelope;
    }

    private static Map<String, Object> list(UiQuery.Page page, String self, Map<String, String> query) {
        Integer next = page.hasNext() ? page.page() + 1 : null;
        int prev = Math.max(page.page() - 1, 1);
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", self + queryString(query, null));
        links.put("first", self + queryString(query, 1));
        links.put("prev", self + queryString(query, prev));
        links.put("next", next == null ? null : self + queryString(query, next));
        links.put("last", null);
        Map<String, Object> pages = new LinkedHashMap<>();
        pages.put("self", page.page());
        pages.put("first", 1);
        pages.put("prev", prev);
        pages.put("next", next);
        pages.put("last", null);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("data", page.rows());
        envelope.put("status", 200);
        envelope.put("links", links);
        envelope.put("pages", pages);
        envelope.put("query", query);
        return envelope;
    }

    /** Python's urlencode(safe=":,") of the query, with {@code _page} replaced (or appended) when given. */
    static String queryString(Map<String, String> query, Integer page) {
        Map<String, String> q = new LinkedHashMap<>(query);
        if (page != null) {
            q.put("_page", Integer.toString(page));
        }
        StringBuilder out = new StringBuilder();
        q.forEach((k, v) -> out.append(out.isEmpty() ? "?" : "&").append(encode(k)).append('=').append(encode(v)));
        return out.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8)
                .replace("%3A", ":").replace("%2C", ",").replace("*", "%2A").replace("%7E", "~");
    }

    private static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private static String error(int status, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("title", status == 404 ? "Not Found" : status == 400 ? "Bad Request" : "Error");
        body.put("detail", message);
        if (field != null) {
            body.put("field", field);
        }
        return FlowgateJson.write(body);
    }
}

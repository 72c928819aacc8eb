package dev.flowgate.deployer.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.domain.TaggedRun.CodePackageRef;
import dev.flowgate.deployer.port.RunRegistry;
import dev.flowgate.model.json.FlowgateJson;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.Set;

/**
 * The Metaflow metadata service over its REST contract, as the Python client uses it: runs of a flow (no
 * namespace filtering server-side, so this is the global namespace), the {@code end} step's
 * {@code attempt_ok}, the {@code code-package} metadata record, and run tag mutation. The tag must be a user
 * tag: a system tag never counts (the metadata API refuses {@code prod_ready} as a system tag; runs stored before
 * it did are not eligible). Who added the gate tag comes from Flowgate's own {@code GET …/flowgate/gate}.
 */
public final class MetadataServiceRunRegistry implements RunRegistry {
    private static final int TAG_RETRIES = 5;
    private final HttpClient http;
    private final String baseUrl;
    private final Supplier<Map<String, String>> headers;

    /** @param headers sent on every request (METAFLOW_SERVICE_HEADERS, x-api-key) */
    public MetadataServiceRunRegistry(HttpClient http, String baseUrl, Map<String, String> headers) {
        this(http, baseUrl, fixed(headers));
    }

    /** @param headers read before every request (the API key comes from a cached, rotatable secret) */
    public MetadataServiceRunRegistry(HttpClient http, String baseUrl, Supplier<Map<String, String>> headers) {
        this.http = http;
        this.baseUrl = HttpJson.trimSlash(baseUrl);
        this.headers = headers;
    }

    @Override
    public Optional<TaggedRun> newestTagged(String flow, String tag) {
        Optional<JsonNode> runs = get("/flows/" + HttpJson.path(flow) + "/runs");
        JsonNode newest = null;
        for (JsonNode run : runs.orElse(FlowgateJson.mapper().createArrayNode())) {
            if (carriesUserTag(run, tag) && (newest == null || run.path("ts_epoch").asLong() > newest.path("ts_epoch").asLong())) {
                newest = run;
            }
        }
        if (newest == null) {
            return Optional.empty();
        }
        String runId = newest.path("run_number").asText();
        String runPath = "/flows/" + HttpJson.path(flow) + "/runs/" + HttpJson.path(runId);
        List<JsonNode> endRows = metadataOfStep(runPath, "end");
        boolean successful = lastAttemptOk(endRows);
        List<JsonNode> packageRows = new ArrayList<>(rows(metadataOfStep(runPath, "start"), "code-package"));
        packageRows.addAll(rows(endRows, "code-package"));
        List<String> tags = new ArrayList<>();
        newest.path("tags").forEach(t -> tags.add(t.asText()));
        return Optional.of(new TaggedRun(flow, runId, newest.path("ts_epoch").asLong(), tags, successful,
                codePackage(flow, runId, packageRows), gateTagging(runPath)));
    }

    @Override
    public void addTags(String flow, String runId, List<String> tags) {
        ObjectNode body = FlowgateJson.mapper().createObjectNode();
        ArrayNode add = body.putArray("tags_to_add");
        tags.forEach(add::add);
        body.putArray("tags_to_remove");
        String path = "/flows/" + HttpJson.path(flow) + "/runs/" + HttpJson.path(runId) + "/tag/mutate";
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response = HttpJson.send(http, request(path)
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(FlowgateJson.write(body))).build(),
                    "metadata service tag mutation");
            if (response.statusCode() == 200) {
                return;
            }
            if (response.statusCode() != 409 || attempt >= TAG_RETRIES) {
                throw new DeployError.Unavailable("metadata service refused to tag " + flow + "/" + runId + ": HTTP "
                        + response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8), null);
            }
            HttpJson.sleep(100L * attempt);
        }
    }

    private static boolean carriesUserTag(JsonNode run, String tag) {
        for (JsonNode t : run.path("tags")) {
            if (tag.equals(t.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Who first added the gate tag, and when; empty when the service has no record (404). */
    private Optional<GateTagging> gateTagging(String runPath) {
        return get(runPath + "/flowgate/gate").filter(g -> g.path("tagged_at").isIntegralNumber())
                .map(g -> new GateTagging(text(g, "tagged_by"), text(g, "caller_kind"), text(g, "user_name"),
                        Instant.ofEpochMilli(g.path("tagged_at").asLong()), text(g, "via")));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : "";
    }

    private List<JsonNode> metadataOfStep(String runPath, String step) {
        List<JsonNode> all = new ArrayList<>();
        Optional<JsonNode> tasks = get(runPath + "/steps/" + step + "/tasks");
        for (JsonNode task : tasks.orElse(FlowgateJson.mapper().createArrayNode())) {
            get(runPath + "/steps/" + step + "/tasks/" + HttpJson.path(task.path("task_id").asText()) + "/metadata")
                    .ifPresent(rows -> rows.forEach(all::add));
        }
        return all;
    }

    private static List<JsonNode> rows(List<JsonNode> rows, String field) {
        return rows.stream().filter(r -> field.equals(r.path("field_name").asText())).toList();
    }

    /** attempt_ok of the highest attempt ({@code attempt_id:N} tag) of any end task is "True". */
    private static boolean lastAttemptOk(List<JsonNode> endRows) {
        int best = -1;
        boolean ok = false;
        for (JsonNode row : rows(endRows, "attempt_ok")) {
            int attempt = 0;
            for (JsonNode tag : row.path("tags")) {
                if (tag.asText().startsWith("attempt_id:")) {
                    try {
                        attempt = Integer.parseInt(tag.asText().substring("attempt_id:".length()));
                    } catch (NumberFormatException ignored) {
                        attempt = 0;
                    }
                }
            }
            if (attempt >= best) {
                best = attempt;
                ok = "True".equals(row.path("value").asText());
            }
        }
        return ok;
    }

    /** The run's one code package; records that disagree in anything (an appended record naming another location,
     * SHA-1 or layout) are refused rather than one of them chosen. */
    private static Optional<CodePackageRef> codePackage(String flow, String runId, List<JsonNode> rows) {
        Set<CodePackageRef> refs = new LinkedHashSet<>();
        for (JsonNode row : rows) {
            JsonNode value;
            try {
                value = FlowgateJson.parse(row.path("value").asText());
            } catch (IllegalArgumentException e) {
                throw new DeployError.NoCodePackage(flow, "run " + runId + " has an unreadable code-package record");
            }
            int layout = 0;
            String meta = value.path("metadata").asText("");
            if (!meta.isEmpty()) {
                try {
                    layout = FlowgateJson.parse(meta).path("mfcontent_version").asInt(0);
                } catch (IllegalArgumentException e) {
                    layout = 0;
                }
            }
            refs.add(new CodePackageRef(value.path("ds_type").asText(), value.path("location").asText(),
                    value.path("sha").asText(), layout));
        }
        if (refs.size() > 1) {
            throw new DeployError.NoCodePackage(flow, "run " + runId + " records " + refs.size()
                    + " different code packages (" + String.join(", ", refs.stream().map(r -> r.sha() + " at "
                    + r.location()).toList()) + "); tag a run made from one package");
        }
        return refs.stream().findFirst();
    }

    private Optional<JsonNode> get(String path) {
        HttpResponse<byte[]> response = HttpJson.send(http, request(path).GET().build(), "metadata service GET " + path);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new DeployError.Unavailable("metadata service GET " + path + ": HTTP " + response.statusCode(), null);
        }
        return Optional.of(FlowgateJson.parse(new String(response.body(), StandardCharsets.UTF_8)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        headers.get().forEach(builder::header);
        return builder;
    }

    private static Supplier<Map<String, String>> fixed(Map<String, String> headers) {
        Map<String, String> copy = Map.copyOf(headers);
        return () -> copy;
    }
}

package dev.flowgate.deployer.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.domain.graph.PlainPickle;
import dev.flowgate.deployer.port.RunArtifacts;
import dev.flowgate.model.json.FlowgateJson;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run's artifacts as Metaflow's client finds them: the artifact record of the step's task from the metadata
 * service ({@code GET .../tasks/{t}/artifacts/{name}}, the latest attempt by the service's rule), then the object in
 * the team's S3 datastore at Metaflow's content address {@code <root>/<Flow>/data/<sha[0:2]>/<sha>}. The record must
 * name the team's datastore ({@code location} {@code :root:<root>}); an artifact stored anywhere else is refused,
 * so a record cannot point the deployer at bytes the team's datastore does not hold. At most
 * {@link PlainPickle#MAX_STORED_BYTES} are read.
 */
public final class MetaflowRunArtifacts implements RunArtifacts {
    private final HttpClient http;
    private final String baseUrl;
    private final Supplier<Map<String, String>> headers;
    private final S3Client s3;
    private final String datastoreRoot;

    /** @param datastoreRoot the team's {@code METAFLOW_DATASTORE_SYSROOT_S3}, e.g. {@code s3://bucket/metaflow} */
    public MetaflowRunArtifacts(HttpClient http, String baseUrl, Map<String, String> headers, S3Client s3, String datastoreRoot) {
        this(http, baseUrl, fixed(headers), s3, datastoreRoot);
    }

    /** @param headers read before every request (the API key comes from a cached, rotatable secret) */
    public MetaflowRunArtifacts(HttpClient http, String baseUrl, Supplier<Map<String, String>> headers, S3Client s3,
                                String datastoreRoot) {
        this.http = http;
        this.baseUrl = HttpJson.trimSlash(baseUrl);
        this.headers = headers;
        this.s3 = s3;
        this.datastoreRoot = HttpJson.trimSlash(datastoreRoot);
    }

    @Override
    public StoredArtifact read(TaggedRun run, String step, String name) {
        String stepPath = "/flows/" + HttpJson.path(run.flow()) + "/runs/" + HttpJson.path(run.runId()) + "/steps/"
                + HttpJson.path(step);
        JsonNode tasks = get(stepPath + "/tasks");
        if (tasks == null || !tasks.isArray() || tasks.size() != 1) {
            throw refused(run, "has " + (tasks == null || !tasks.isArray() ? "no" : tasks.size()) + " task(s) of step '" + step
                    + "'; the record " + name + " is read from its single task");
        }
        String taskId = tasks.get(0).path("task_id").asText();
        JsonNode record = get(stepPath + "/tasks/" + HttpJson.path(taskId) + "/artifacts/" + HttpJson.path(name));
        if (record == null) {
            throw refused(run, "recorded no artifact " + name + " on " + step + "/" + taskId
                    + " (Metaflow records it on every run since 2.0); tag a run made with the project's Metaflow");
        }
        String sha = record.path("sha").asText("");
        String location = record.path("location").asText("");
        if (!sha.matches("[0-9a-f]{40}")) {
            throw refused(run, "has an artifact record " + name + " whose sha '" + sha + "' is not a SHA-1");
        }
        if (!"s3".equals(record.path("ds_type").asText()) || !location.equals(":root:" + datastoreRoot)
                && !location.equals(":root:" + datastoreRoot + "/")) {
            throw refused(run, "stored " + name + " in " + record.path("ds_type").asText() + " at '" + location
                    + "', not in the team's datastore " + datastoreRoot + "; tag a run made with the team's S3 datastore");
        }
        String object = datastoreRoot + "/" + run.flow() + "/data/" + sha.substring(0, 2) + "/" + sha;
        return new StoredArtifact(sha, object, fetch(run, object));
    }

    private byte[] fetch(TaggedRun run, String object) {
        URI uri = URI.create(object);
        String key = uri.getPath().substring(1);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(uri.getHost()).key(key))) {
            Long length = in.response().contentLength();
            if (length != null && length > PlainPickle.MAX_STORED_BYTES) {
                throw refused(run, "stored " + object + " with " + length + " bytes, above the limit of "
                        + PlainPickle.MAX_STORED_BYTES);
            }
            byte[] bytes = in.readNBytes(PlainPickle.MAX_STORED_BYTES + 1);
            if (bytes.length > PlainPickle.MAX_STORED_BYTES) {
                throw refused(run, "stored " + object + " above the limit of " + PlainPickle.MAX_STORED_BYTES + " bytes");
            }
            return bytes;
        } catch (NoSuchKeyException e) {
            throw refused(run, "has no object at " + object + " although the metadata service records it");
        } catch (SdkException | IOException e) {
            throw new DeployError.Unavailable("the run's graph record could not be read from " + object + ": "
                    + e.getMessage(), e);
        }
    }

    private static DeployError.GraphMismatch refused(TaggedRun run, String detail) {
        return new DeployError.GraphMismatch(run.flow(), "the prod_ready run " + run.pathspec() + " " + detail, List.of());
    }

    private JsonNode get(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET();
        headers.get().forEach(builder::header);
        HttpResponse<byte[]> response = HttpJson.send(http, builder.build(), "metadata service GET " + path);
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new DeployError.Unavailable("metadata service GET " + path + ": HTTP " + response.statusCode(), null);
        }
        return FlowgateJson.parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    private static Supplier<Map<String, String>> fixed(Map<String, String> headers) {
        Map<String, String> copy = Map.copyOf(headers);
        return () -> copy;
    }
}

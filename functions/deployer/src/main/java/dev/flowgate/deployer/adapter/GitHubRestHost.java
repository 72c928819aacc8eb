package dev.flowgate.deployer.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.deployer.domain.CommitRelation;
import dev.flowgate.deployer.domain.CommitStatus;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TreeEntry;
import dev.flowgate.deployer.port.GitHost;
import dev.flowgate.model.json.FlowgateJson;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GitHub's REST API (github.com at {@code https://api.github.com}, Enterprise Server at
 * {@code https://HOST/api/v3}, or the local runtime's stand-in): raw file contents, recursive trees, commit
 * statuses, how two commits relate (compare) and where a branch points (git ref). Authenticates with a bearer token.
 */
public final class GitHubRestHost implements GitHost {
    private final HttpClient http;
    private final String baseUrl;
    private final Supplier<String> token;

    public GitHubRestHost(HttpClient http, String baseUrl, Supplier<String> token) {
        this.http = http;
        this.baseUrl = HttpJson.trimSlash(baseUrl);
        this.token = token;
    }

    @Override
    public Optional<byte[]> file(String repository, String commitSha, String path) {
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/contents/" + HttpJson.path(path)
                + "?ref=" + commitSha).header("Accept", "application/vnd.github.raw+json").GET().build(), "read " + path);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, "read " + path + " of " + repository);
        return Optional.of(response.body());
    }

    @Override
    public List<TreeEntry> tree(String repository, String commitSha) {
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/git/trees/" + commitSha + "?recursive=1")
                .GET().build(), "tree of " + commitSha);
        check(response, "read the tree of " + repository + "@" + commitSha);
        JsonNode body = FlowgateJson.parse(new String(response.body(), StandardCharsets.UTF_8));
        if (body.path("truncated").asBoolean(false)) {
            throw new DeployError.Unavailable("the tree of " + repository + "@" + commitSha
                    + " is too large for one listing (truncated); not supported yet", null);
        }
        List<TreeEntry> entries = new ArrayList<>();
        for (JsonNode entry : body.path("tree")) {
            entries.add(new TreeEntry(entry.path("path").asText(), entry.path("mode").asText(),
                    entry.path("type").asText(), entry.path("sha").asText()));
        }
        return entries;
    }

    @Override
    public void postStatus(String repository, String commitSha, CommitStatus status) {
        ObjectNode body = FlowgateJson.mapper().createObjectNode();
        body.put("state", status.state());
        body.put("context", status.context());
        body.put("description", status.description());
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/statuses/" + commitSha)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(FlowgateJson.write(body))).build(), "commit status");
        check(response, "post a commit status on " + repository + "@" + commitSha);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token.get())
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", "flowgate-deployer");
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) {
        return HttpJson.send(http, request, "GitHub " + what);
    }

    private static void check(HttpResponse<byte[]> response, String what) {
        int status = response.statusCode();
        if (status / 100 != 2) {
            String detail = new String(response.body(), StandardCharsets.UTF_8);
            throw new DeployError.Unavailable("GitHub could not " + what + ": HTTP " + status
                    + (status == 401 || status == 403 ? " (check the github-token secret and its permissions)" : "")
                    + " " + detail.substring(0, Math.min(200, detail.length())), null);
        }
    }

    @Override
    public byte[] blob(String repository, String blobSha) {
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/git/blobs/" + blobSha).GET().build(),
                "blob " + blobSha);
        check(response, "read blob " + blobSha + " of " + repository);
        JsonNode body = FlowgateJson.parse(new String(response.body(), StandardCharsets.UTF_8));
        if (!"base64".equals(body.path("encoding").asText("base64"))) {
            throw new DeployError.Unavailable("GitHub blob " + blobSha + " has encoding " + body.path("encoding").asText(), null);
        }
        return java.util.Base64.getMimeDecoder().decode(body.path("content").asText(""));
    }

    @Override
    public CommitRelation compare(String repository, String base, String head) {
        requireSha(base, "compare base");
        requireSha(head, "compare head");
        String what = "compare " + shortSha(base) + "..." + shortSha(head) + " of " + repository;
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/compare/" + base + "..." + head
                + "?per_page=1").GET().build(), "compare");
        check(response, what);
        String status = parse(response, what).path("status").asText("");
        return CommitRelation.fromGitHub(status).orElseThrow(() -> new DeployError.Unavailable("GitHub could not " + what
                + ": the answer has no known status ('" + status + "')", null));
    }

    @Override
    public Optional<String> branchHead(String repository, String branch) {
        String what = "read branch " + branch + " of " + repository;
        HttpResponse<byte[]> response = send(request("/repos/" + repository + "/git/ref/heads/" + HttpJson.path(branch))
                .GET().build(), "ref heads/" + branch);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, what);
        JsonNode body = parse(response, what);
        String ref = body.path("ref").asText("");
        String sha = body.path("object").path("sha").asText("");
        // GitHub answers a prefix match with an array of refs: only the exact ref counts
        if (!ref.equals("refs/heads/" + branch) || !"commit".equals(body.path("object").path("type").asText(""))
                || !SHA.matcher(sha).matches()) {
            throw new DeployError.Unavailable("GitHub could not " + what + ": the answer names no commit of refs/heads/"
                    + branch, null);
        }
        return Optional.of(sha);
    }

    private static final java.util.regex.Pattern SHA = java.util.regex.Pattern.compile("[0-9a-f]{40}");

    private static void requireSha(String sha, String what) {
        if (sha == null || !SHA.matcher(sha).matches()) {
            throw new DeployError.Unavailable(what + " '" + sha + "' is not a 40-character commit sha", null);
        }
    }

    private static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }

    private static JsonNode parse(HttpResponse<byte[]> response, String what) {
        try {
            return FlowgateJson.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new DeployError.Unavailable("GitHub could not " + what + ": the answer is not JSON", e);
        }
    }
}

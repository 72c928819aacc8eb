package dev.flowgate.local.github;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The local GitHub answers like GitHub's REST API, from a real git repository made by the real git. */
class LocalGitHubHandlerTest {
    @TempDir
    static Path root;
    static String commit;
    static LocalGitHubHandler github;

    @BeforeAll
    static void createRepository() throws Exception {
        Path repo = root.resolve("acme/ml-flows");
        Files.createDirectories(repo.resolve("flows/lib"));
        Files.writeString(repo.resolve("flows/demo_flow.py"), "print('hi')\n");
        Files.writeString(repo.resolve("flows/lib/util.py"), "X = 1\n");
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        commit = new String(new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "HEAD").start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        github = new LocalGitHubHandler(root);
    }

    @Test
    void commits_resolvesBranchToSha() {
        JsonNode body = ok(get("/local/github/repos/acme/ml-flows/commits/main", Map.of()));
        assertThat(body.get("sha").asText()).isEqualTo(commit);
    }

    @Test
    void recursiveTree_listsBlobsWithGitBlobIds() throws Exception {
        JsonNode body = ok(get("/local/github/repos/acme/ml-flows/git/trees/" + commit, Map.of("recursive", "1")));
        assertThat(body.get("truncated").asBoolean()).isFalse();
        JsonNode util = null;
        for (JsonNode entry : body.get("tree")) {
            if (entry.get("path").asText().equals("flows/lib/util.py")) {
                util = entry;
            }
        }
        assertThat(util).isNotNull();
        assertThat(util.get("type").asText()).isEqualTo("blob");
        assertThat(util.get("mode").asText()).isEqualTo("100644");
        assertThat(util.get("sha").asText()).isEqualTo(gitBlobId("X = 1\n"));
        assertThat(body.get("tree").findValuesAsText("path")).contains("flows", "flows/lib");
    }

    @Test
    void contents_returnsBase64OrRawBytes() {
        JsonNode body = ok(get("/local/github/repos/acme/ml-flows/contents/flows/demo_flow.py", Map.of("ref", commit)));
        assertThat(new String(Base64.getMimeDecoder().decode(body.get("content").asText()), StandardCharsets.UTF_8))
                .isEqualTo("print('hi')\n");
        APIGatewayProxyRequestEvent raw = event("GET", "/local/github/repos/acme/ml-flows/contents/flows/demo_flow.py", Map.of("ref", "main"), null);
        raw.setHeaders(Map.of("Accept", "application/vnd.github.raw+json"));
        APIGatewayProxyResponseEvent response = github.handleRequest(raw, null);
        assertThat(new String(Base64.getDecoder().decode(response.getBody()), StandardCharsets.UTF_8)).isEqualTo("print('hi')\n");
        assertThat(get("/local/github/repos/acme/ml-flows/contents/flows/missing.py", Map.of()).getStatusCode()).isEqualTo(404);
    }

    @Test
    void statuses_areRecordedAndValidatedLikeGitHub() {
        APIGatewayProxyResponseEvent created = github.handleRequest(event("POST", "/local/github/repos/acme/ml-flows/statuses/" + commit,
                Map.of(), "{\"state\":\"success\",\"description\":\"deployed\",\"context\":\"flowgate/deploy\"}"), null);
        assertThat(created.getStatusCode()).isEqualTo(201);
        APIGatewayProxyResponseEvent tooLong = github.handleRequest(event("POST", "/local/github/repos/acme/ml-flows/statuses/" + commit,
                Map.of(), "{\"state\":\"success\",\"description\":\"" + "x".repeat(141) + "\"}"), null);
        assertThat(tooLong.getStatusCode()).isEqualTo(422);
        APIGatewayProxyResponseEvent badState = github.handleRequest(event("POST", "/local/github/repos/acme/ml-flows/statuses/" + commit,
                Map.of(), "{\"state\":\"done\"}"), null);
        assertThat(badState.getStatusCode()).isEqualTo(422);
        assertThat(github.statuses("acme", "ml-flows", commit)).extracting(s -> s.get("context")).containsExactly("flowgate/deploy");
        JsonNode listed = ok(get("/local/github/repos/acme/ml-flows/commits/main/statuses", Map.of()));
        assertThat(listed.get(0).get("state").asText()).isEqualTo("success");
    }

    @Test
    void unknownRepositoryOrHostileNames_are404() {
        assertThat(get("/local/github/repos/acme/nope/commits/main", Map.of()).getStatusCode()).isEqualTo(404);
        assertThat(get("/local/github/repos/../etc/commits/main", Map.of()).getStatusCode()).isEqualTo(404);
        assertThat(get("/local/github/repos/acme/ml-flows/commits/--output=x", Map.of()).getStatusCode()).isEqualTo(422);
        assertThat(get("/local/github/repos/acme/ml-flows/contents/../x", Map.of()).getStatusCode()).isEqualTo(404);
    }

    private static JsonNode ok(APIGatewayProxyResponseEvent response) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        return FlowgateJson.parse(response.getBody());
    }

    private static APIGatewayProxyResponseEvent get(String path, Map<String, String> query) {
        return github.handleRequest(event("GET", path, query, null), null);
    }

    private static APIGatewayProxyRequestEvent event(String method, String path, Map<String, String> query, String body) {
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath(path)
                .withQueryStringParameters(query.isEmpty() ? null : query).withBody(body);
    }

    private static String gitBlobId(String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha1.digest(bytes));
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor()).isZero();
    }
}

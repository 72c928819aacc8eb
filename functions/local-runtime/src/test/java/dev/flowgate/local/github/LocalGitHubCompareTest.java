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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local GitHub's compare and branch routes answer like GitHub's, from a real git history made by the real git:
 * main has c1 → c2; feature/x branches off c1 with c3; an orphan branch shares no history.
 */
class LocalGitHubCompareTest {
    @TempDir
    static Path root;
    static String c1;
    static String c2;
    static String c3;
    static String orphan;
    static LocalGitHubHandler github;

    @BeforeAll
    static void history() throws Exception {
        Path repo = root.resolve("acme/ml-flows");
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        c1 = commit(repo, "a.py", "A = 1\n");
        c2 = commit(repo, "a.py", "A = 2\n");
        git(repo, "checkout", "-q", "-b", "feature/x", c1);
        c3 = commit(repo, "b.py", "B = 1\n");
        git(repo, "checkout", "-q", "--orphan", "lonely");
        orphan = commit(repo, "c.py", "C = 1\n");
        git(repo, "checkout", "-q", "main");
        github = new LocalGitHubHandler(root);
    }

    @Test
    void compare_statusFollowsTheHistory() {
        JsonNode b = compare(c1, c2);
        assertThat(b.get("status").asText()).isEqualTo("ahead");
        assertThat(b.get("ahead_by").asInt()).isEqualTo(1);
        assertThat(b.get("behind_by").asInt()).isZero();
        assertThat(b.at("/merge_base_commit/sha").asText()).isEqualTo(c1);
        assertThat(b.at("/base_commit/sha").asText()).isEqualTo(c1);
        assertThat(compare(c2, c1).get("status").asText()).isEqualTo("behind");
        assertThat(compare(c2, c1).get("behind_by").asInt()).isEqualTo(1);
        assertThat(compare(c2, c2).get("status").asText()).isEqualTo("identical");
        JsonNode diverged = compare(c2, c3);
        assertThat(diverged.get("status").asText()).isEqualTo("diverged");
        assertThat(diverged.get("ahead_by").asInt()).isEqualTo(1);
        assertThat(diverged.get("behind_by").asInt()).isEqualTo(1);
        assertThat(compare("main", "feature/x").get("status").asText()).isEqualTo("diverged");
    }

    @Test
    void compare_ofUnknownOrUnrelatedCommits_is404AsOnGitHub() {
        assertThat(get("/repos/acme/ml-flows/compare/" + c1 + "..." + "0".repeat(40)).getStatusCode()).isEqualTo(404);
        APIGatewayProxyResponseEvent unrelated = get("/repos/acme/ml-flows/compare/" + c2 + "..." + orphan);
        assertThat(unrelated.getStatusCode()).isEqualTo(404);
        assertThat(unrelated.getBody()).contains("No common ancestor");
        assertThat(get("/repos/acme/ml-flows/compare/" + c1 + ".." + c2).getStatusCode()).isEqualTo(404);
        assertThat(get("/repos/acme/ml-flows/compare/--output=x..." + c2).getStatusCode()).isEqualTo(404);
    }

    @Test
    void ref_andBranch_nameTheHeadCommit() {
        JsonNode main = ok(get("/repos/acme/ml-flows/git/ref/heads/main"));
        assertThat(main.get("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(main.at("/object/sha").asText()).isEqualTo(c2);
        assertThat(main.at("/object/type").asText()).isEqualTo("commit");
        assertThat(ok(get("/repos/acme/ml-flows/git/ref/heads/feature/x")).at("/object/sha").asText()).isEqualTo(c3);
        assertThat(ok(get("/repos/acme/ml-flows/branches/feature/x")).at("/commit/sha").asText()).isEqualTo(c3);
        assertThat(get("/repos/acme/ml-flows/git/ref/heads/feature").getStatusCode()).isEqualTo(404);
        assertThat(get("/repos/acme/ml-flows/git/ref/heads/nope").getStatusCode()).isEqualTo(404);
        assertThat(get("/repos/acme/ml-flows/branches/nope").getStatusCode()).isEqualTo(404);
        assertThat(get("/repos/acme/ml-flows/git/ref/heads/" + c1).getStatusCode()).isEqualTo(404);
        assertThat(get("/repos/acme/ml-flows/git/ref/heads/-x").getStatusCode()).isEqualTo(404);
    }

    private static JsonNode compare(String base, String head) {
        return ok(get("/repos/acme/ml-flows/compare/" + base + "..." + head));
    }

    private static JsonNode ok(APIGatewayProxyResponseEvent response) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        return FlowgateJson.parse(response.getBody());
    }

    private static APIGatewayProxyResponseEvent get(String path) {
        return github.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withPath(LocalGitHubHandler.MOUNT + path), null);
    }

    private static String commit(Path repo, String file, String content) throws Exception {
        Files.writeString(repo.resolve(file), content);
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", file);
        return new String(new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "HEAD").start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor()).isZero();
    }
}

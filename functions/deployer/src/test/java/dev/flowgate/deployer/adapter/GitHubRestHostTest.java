package dev.flowgate.deployer.adapter;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.deployer.domain.CommitRelation;
import dev.flowgate.deployer.domain.CommitStatus;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TreeEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GitHubRestHost against a real HTTP server answering like GitHub's REST API (Enterprise-style base path). */
class GitHubRestHostTest {
    static final WireMockServer GITHUB = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    static final String SHA = "d".repeat(40);
    GitHubRestHost host;

    @BeforeAll
    static void start() {
        GITHUB.start();
    }

    @AfterAll
    static void stop() {
        GITHUB.stop();
    }

    @BeforeEach
    void reset() {
        GITHUB.resetAll();
        host = new GitHubRestHost(HttpJson.CLIENT, "http://127.0.0.1:" + GITHUB.port() + "/api/v3/", () -> "tkn");
    }

    @Test
    void file_readsRawContentAtTheCommit_withTokenAndApiVersion() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/contents/flows/my%20flow.py?ref=" + SHA))
                .withHeader("Authorization", equalTo("Bearer tkn"))
                .withHeader("Accept", equalTo("application/vnd.github.raw+json"))
                .withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
                .willReturn(aResponse().withStatus(200).withBody("print('hi')\n")));
        assertThat(host.file("acme/ml-flows", SHA, "flows/my flow.py"))
                .hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("print('hi')\n"));
    }

    @Test
    void file_whenMissing_isEmpty() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/contents/flowgate.yaml?ref=" + SHA))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        assertThat(host.file("acme/ml-flows", SHA, "flowgate.yaml")).isEmpty();
    }

    @Test
    void tree_listsEntriesWithModesAndBlobIds() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/trees/" + SHA + "?recursive=1"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"sha\":\"" + SHA + "\",\"truncated\":false,\"tree\":["
                                + "{\"path\":\"flows\",\"mode\":\"040000\",\"type\":\"tree\",\"sha\":\"t1\"},"
                                + "{\"path\":\"flows/a.py\",\"mode\":\"100644\",\"type\":\"blob\",\"sha\":\"b1\",\"size\":3},"
                                + "{\"path\":\"flows/link.py\",\"mode\":\"120000\",\"type\":\"blob\",\"sha\":\"b2\"}]}")));
        assertThat(host.tree("acme/ml-flows", SHA)).containsExactly(
                new TreeEntry("flows", "040000", "tree", "t1"),
                new TreeEntry("flows/a.py", "100644", "blob", "b1"),
                new TreeEntry("flows/link.py", "120000", "blob", "b2"));
    }

    @Test
    void tree_whenTruncated_refusesRatherThanComparingAPartialTree() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/trees/" + SHA + "?recursive=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"truncated\":true,\"tree\":[]}")));
        assertThatThrownBy(() -> host.tree("acme/ml-flows", SHA)).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void postStatus_sendsStateContextAndDescription() {
        GITHUB.stubFor(post(urlEqualTo("/api/v3/repos/acme/ml-flows/statuses/" + SHA))
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        host.postStatus("acme/ml-flows", SHA, new CommitStatus("success", "flowgate/DemoFlow", "deployed", null));
        GITHUB.verify(postRequestedFor(urlEqualTo("/api/v3/repos/acme/ml-flows/statuses/" + SHA))
                .withRequestBody(equalToJson("{\"state\":\"success\",\"context\":\"flowgate/DemoFlow\",\"description\":\"deployed\"}")));
    }

    @Test
    void postStatus_whenForbidden_saysToCheckTheToken() {
        GITHUB.stubFor(post(urlEqualTo("/api/v3/repos/acme/ml-flows/statuses/" + SHA))
                .willReturn(aResponse().withStatus(403).withBody("{\"message\":\"Resource not accessible\"}")));
        assertThatThrownBy(() -> host.postStatus("acme/ml-flows", SHA, new CommitStatus("pending", "c", "d", null)))
                .hasMessageContaining("github-token");
    }

    @Test
    void blob_decodesGitHubsBase64WithLineBreaks() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/blobs/abc"))
                .willReturn(aResponse().withStatus(200).withBody("{\"sha\":\"abc\",\"encoding\":\"base64\","
                        + "\"content\":\"aGVsbG8g\\nd29ybGQK\\n\"}")));
        assertThat(new String(host.blob("acme/ml-flows", "abc"), StandardCharsets.UTF_8)).isEqualTo("hello world\n");
    }

    static final String OLD = "1".repeat(40);
    static final String NEW = "2".repeat(40);

    @Test
    void compare_readsGitHubsStatus() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/compare/" + NEW + "..." + OLD + "?per_page=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"behind\",\"ahead_by\":0,\"behind_by\":2,"
                        + "\"total_commits\":0,\"commits\":[],\"merge_base_commit\":{\"sha\":\"" + OLD + "\"}}")));
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/compare/" + OLD + "..." + NEW + "?per_page=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ahead\",\"ahead_by\":2}")));
        assertThat(host.compare("acme/ml-flows", NEW, OLD)).isEqualTo(CommitRelation.BEHIND);
        assertThat(host.compare("acme/ml-flows", OLD, NEW)).isEqualTo(CommitRelation.AHEAD);
    }

    @Test
    void compare_thatCannotBeAnswered_throwsSoTheCallerRefuses() {
        String unknown = "3".repeat(40);
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/compare/" + OLD + "..." + unknown + "?per_page=1"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        String odd = "4".repeat(40);
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/compare/" + OLD + "..." + odd + "?per_page=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"unknown\"}")));
        String broken = "5".repeat(40);
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/compare/" + OLD + "..." + broken + "?per_page=1"))
                .willReturn(aResponse().withStatus(500).withBody("oops")));
        assertThatThrownBy(() -> host.compare("acme/ml-flows", OLD, unknown)).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> host.compare("acme/ml-flows", OLD, odd)).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("no known status");
        assertThatThrownBy(() -> host.compare("acme/ml-flows", OLD, broken)).isInstanceOf(DeployError.Unavailable.class);
        assertThatThrownBy(() -> host.compare("acme/ml-flows", OLD, "main")).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("not a 40-character commit sha");
    }

    @Test
    void branchHead_readsTheExactRefAndIsEmptyForAMissingBranch() {
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/ref/heads/feature/x"))
                .willReturn(aResponse().withStatus(200).withBody("{\"ref\":\"refs/heads/feature/x\",\"node_id\":\"n\","
                        + "\"url\":\"u\",\"object\":{\"sha\":\"" + NEW + "\",\"type\":\"commit\",\"url\":\"u\"}}")));
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/ref/heads/gone"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/ref/heads/fea"))
                .willReturn(aResponse().withStatus(200).withBody("[{\"ref\":\"refs/heads/feature/x\",\"object\":{\"sha\":\""
                        + NEW + "\",\"type\":\"commit\"}}]")));
        GITHUB.stubFor(get(urlEqualTo("/api/v3/repos/acme/ml-flows/git/ref/heads/down"))
                .willReturn(aResponse().withStatus(503)));
        assertThat(host.branchHead("acme/ml-flows", "feature/x")).contains(NEW);
        assertThat(host.branchHead("acme/ml-flows", "gone")).isEmpty();
        assertThatThrownBy(() -> host.branchHead("acme/ml-flows", "fea")).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("names no commit");
        assertThatThrownBy(() -> host.branchHead("acme/ml-flows", "down")).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("HTTP 503");
    }
}

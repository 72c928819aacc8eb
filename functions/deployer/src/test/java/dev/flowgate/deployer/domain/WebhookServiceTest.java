package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.DeployRequest.Source;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import dev.flowgate.deployer.fakes.RecordingDispatcher;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookServiceTest {
    static final String SECRET = "webhook-test-secret";
    static final String SHA = "a".repeat(40);
    private final InMemoryDeploymentStore ledger = new InMemoryDeploymentStore();
    private final RecordingDispatcher dispatcher = new RecordingDispatcher();
    private int secretReads;
    private final WebhookService service = new WebhookService(() -> {
        secretReads++;
        return SECRET.getBytes(StandardCharsets.UTF_8);
    }, RepositoryPolicy.parse("acme/ml-flows:main:experimental=feature/*"), ledger, dispatcher, new DeploymentIds(),
            Clock.systemUTC(), Duration.ofHours(24), Duration.ofMinutes(10));

    static String push(String ref, String after) {
        return "{\"ref\":\"" + ref + "\",\"before\":\"" + "0".repeat(40) + "\",\"after\":\"" + after + "\","
                + "\"deleted\":false,\"repository\":{\"full_name\":\"acme/ml-flows\",\"pushed_at\":1700000000},"
                + "\"head_commit\":{\"id\":\"" + after + "\"}}";
    }

    static String merged(boolean merged) {
        return "{\"action\":\"closed\",\"number\":7,\"pull_request\":{\"merged\":" + merged + ",\"merge_commit_sha\":\""
                + SHA + "\",\"base\":{\"ref\":\"main\",\"repo\":{\"full_name\":\"acme/ml-flows\"}}},"
                + "\"repository\":{\"full_name\":\"acme/ml-flows\"}}";
    }

    private WebhookResponse deliver(String event, String delivery, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("x-github-event", event);
        headers.put("x-github-delivery", delivery);
        headers.put("x-hub-signature-256", WebhookSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), bytes));
        return service.handle(headers, bytes);
    }

    @Test
    void signature_githubPublishedTestVector_matches() {
        byte[] secret = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.sign(secret, body))
                .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        assertThat(WebhookSignature.verify(secret, body,
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")).isTrue();
        assertThat(WebhookSignature.verify(secret, body,
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18")).isFalse();
        assertThat(WebhookSignature.verify(secret, body, "sha1=757107")).isFalse();
        assertThat(WebhookSignature.verify(secret, body, null)).isFalse();
    }

    @Test
    void handle_whenUnsigned_is401BeforeParsing() {
        Map<String, String> headers = Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d1");
        WebhookResponse response = service.handle(headers, "not json at all".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).containsEntry("field", "X-Hub-Signature-256");
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void handle_whenSignedWithAnotherSecret_is401() {
        byte[] body = push("refs/heads/main", SHA).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d1",
                "X-Hub-Signature-256", WebhookSignature.sign("other".getBytes(StandardCharsets.UTF_8), body));
        assertThat(service.handle(headers, body).status()).isEqualTo(401);
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void handle_whenSignedButMalformed_is400NamingTheBody() {
        WebhookResponse response = deliver("push", "d1", "{\"ref\": ");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).containsEntry("field", "body");
    }

    @Test
    void handle_whenOversized_is413() {
        byte[] big = new byte[WebhookService.MAX_BODY_BYTES + 1];
        assertThat(service.handle(Map.of(), big).status()).isEqualTo(413);
    }

    @Test
    void handle_ping_answers200WithoutDeploying() {
        WebhookResponse response = deliver("ping", "p1", "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).containsEntry("message", "pong");
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void handle_pushToProductionBranch_dispatchesOnceAndAnswers202WithId() {
        WebhookResponse response = deliver("push", "d1", push("refs/heads/main", SHA));
        assertThat(response.status()).isEqualTo(202);
        assertThat(dispatcher.dispatched).hasSize(1);
        DeployRequest request = dispatcher.dispatched.get(0);
        assertThat(request.source()).isEqualTo(Source.GITHUB_PUSH);
        assertThat(request.commitSha()).isEqualTo(SHA);
        assertThat(request.ref()).isEqualTo("refs/heads/main");
        assertThat(request.requestId()).isEqualTo("d1");
        assertThat(response.body()).containsEntry("deployment_id", request.deploymentId().orElseThrow())
                .containsEntry("target", "production");
    }

    @Test
    void handle_redeliveredDelivery_isANoOpWithTheSameDeploymentId() {
        WebhookResponse first = deliver("push", "d1", push("refs/heads/main", SHA));
        WebhookResponse again = deliver("push", "d1", push("refs/heads/main", SHA));
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.body()).containsEntry("duplicate", true)
                .containsEntry("deployment_id", first.body().get("deployment_id"));
        assertThat(dispatcher.dispatched).hasSize(1);
    }

    @Test
    void handle_mergedPullRequestThenItsPush_deploysOnce() {
        WebhookResponse pr = deliver("pull_request", "d-pr", merged(true));
        WebhookResponse push = deliver("push", "d-push", push("refs/heads/main", SHA));
        assertThat(pr.status()).isEqualTo(202);
        assertThat(dispatcher.dispatched).hasSize(1);
        assertThat(dispatcher.dispatched.get(0).source()).isEqualTo(Source.GITHUB_PR_MERGE);
        assertThat(push.body()).containsEntry("duplicate", true).containsEntry("deployment_id", pr.body().get("deployment_id"));
    }

    @Test
    void handle_closedUnmergedPullRequest_isIgnoredWithReason() {
        WebhookResponse response = deliver("pull_request", "d1", merged(false));
        assertThat(response.status()).isEqualTo(202);
        assertThat((String) response.body().get("message")).contains("without a merge");
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void handle_otherEventsTagsDeletionsAndUnconfiguredBranches_are202Ignored() {
        assertThat(deliver("issues", "d1", "{}").body()).containsEntry("ignored", true);
        assertThat(deliver("push", "d2", push("refs/tags/v1", SHA)).body()).containsEntry("ignored", true);
        assertThat(deliver("push", "d3", push("refs/heads/main", "0".repeat(40))).body()).containsEntry("ignored", true);
        assertThat(deliver("push", "d4", push("refs/heads/hotfix", SHA)).body()).containsEntry("ignored", true);
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void handle_pushToExperimentalBranch_dispatchesExperimental() {
        WebhookResponse response = deliver("push", "d1", push("refs/heads/feature/x", SHA));
        assertThat(response.body()).containsEntry("target", "experimental");
        assertThat(dispatcher.dispatched).extracting(DeployRequest::branch).containsExactly("feature/x");
    }

    @Test
    void handle_unknownRepository_is403NamingTheField() {
        String body = push("refs/heads/main", SHA).replace("acme/ml-flows", "evil/repo");
        WebhookResponse response = deliver("push", "d1", body);
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).containsEntry("field", "repository.full_name");
    }

    @Test
    void handle_badCommitSha_is400NamingTheField() {
        WebhookResponse response = deliver("push", "d1", push("refs/heads/main", "HEAD"));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).containsEntry("field", "after");
    }

    @Test
    void handle_whenDispatchFails_releasesClaimsSoARedeliveryCanSucceed() {
        dispatcher.fail = true;
        assertThat(deliver("push", "d1", push("refs/heads/main", SHA)).status()).isEqualTo(503);
        dispatcher.fail = false;
        assertThat(deliver("push", "d1", push("refs/heads/main", SHA)).body()).doesNotContainKey("duplicate");
        assertThat(dispatcher.dispatched).hasSize(1);
    }

    @Test
    void handle_formEncodedHook_is415() {
        byte[] body = "payload=%7B%7D".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d1",
                "Content-Type", "application/x-www-form-urlencoded",
                "X-Hub-Signature-256", WebhookSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), body)));
        assertThat(service.handle(headers, body).status()).isEqualTo(415);
    }
}

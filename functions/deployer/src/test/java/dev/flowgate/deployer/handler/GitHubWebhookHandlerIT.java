package dev.flowgate.deployer.handler;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.WebhookSignature;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook handler wired exactly as in the local runtime: secret in emulated Secrets Manager, claims in the
 * emulated CONTROL table, and the Lambda Invoke API served by a real HTTP server standing in for the runtime.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitHubWebhookHandlerIT {
    private static final String SECRET = "it-webhook-secret";
    private static final String INVOKE = "/2015-03-31/functions/flowgate-deployer/invocations";
    private final WireMockServer runtime = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private GitHubWebhookHandler handler;

    @BeforeAll
    void start(AwsEmulator emulator) {
        runtime.start();
        runtime.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(202)));
        FlowgateResources names = new FlowgateResources(AwsEmulator.uniqueName("wh"));
        Environment env = emulator.environment(names.prefix())
                .with("FLOWGATE_GITHUB_WEBHOOK_SECRET", SECRET)
                .with("FLOWGATE_REPOSITORIES", "acme/ml-flows")
                .with("FLOWGATE_LOCAL_URL", "http://127.0.0.1:" + runtime.port());
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.createTable(FlowgateResources.CONTROL);
            provisioner.seedSecret(FlowgateResources.GITHUB_WEBHOOK_SECRET, env);
        }
        handler = new GitHubWebhookHandler(env);
    }

    @AfterAll
    void stop() {
        runtime.stop();
    }

    private APIGatewayProxyResponseEvent deliver(String delivery, String body, boolean base64) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent().withHttpMethod("POST")
                .withPath(GitHubWebhookHandler.MOUNT)
                // HTTP API / Function URL style: lower-cased header names
                .withHeaders(Map.of("x-github-event", "push", "x-github-delivery", delivery,
                        "content-type", "application/json",
                        "x-hub-signature-256", WebhookSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), bytes)))
                .withIsBase64Encoded(base64)
                .withBody(base64 ? Base64.getEncoder().encodeToString(bytes) : body);
        return handler.handleRequest(event, null);
    }

    @Test
    void push_signedWithTheStoredSecret_invokesTheDeployerAsynchronouslyOnce() {
        String sha = "1".repeat(40);
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"repository\":{\"full_name\":\"acme/ml-flows\"}}";
        APIGatewayProxyResponseEvent first = deliver("it-1", body, false);
        APIGatewayProxyResponseEvent replay = deliver("it-1", body, true);

        assertThat(first.getStatusCode()).isEqualTo(202);
        JsonNode answer = FlowgateJson.parse(first.getBody());
        String id = answer.get("deployment_id").asText();
        assertThat(id).startsWith("d-");
        assertThat(FlowgateJson.parse(replay.getBody()).get("deployment_id").asText()).isEqualTo(id);
        assertThat(FlowgateJson.parse(replay.getBody()).get("duplicate").asBoolean()).isTrue();
        runtime.verify(1, postRequestedFor(urlEqualTo(INVOKE))
                .withHeader("X-Amz-Invocation-Type", equalTo("Event"))
                .withRequestBody(matchingJsonPath("$.commit_sha", equalTo(sha)))
                .withRequestBody(matchingJsonPath("$.deployment_id", equalTo(id)))
                .withRequestBody(matchingJsonPath("$.source", equalTo("github-push"))));
    }

    @Test
    void push_withWrongSignature_is401AndInvokesNothing() {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent().withHttpMethod("POST")
                .withHeaders(Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "it-bad",
                        "X-Hub-Signature-256", "sha256=" + "0".repeat(64)))
                .withBody("{\"ref\":\"refs/heads/main\"}");
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);
        assertThat(response.getStatusCode()).isEqualTo(401);
        runtime.verify(0, postRequestedFor(urlEqualTo(INVOKE)).withRequestBody(matchingJsonPath("$.request_id", equalTo("it-bad"))));
    }
}

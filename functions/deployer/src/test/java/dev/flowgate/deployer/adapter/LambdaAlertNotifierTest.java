package dev.flowgate.deployer.adapter;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.deployer.domain.DeploymentAlert;
import dev.flowgate.deployer.domain.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** The deployer hands failed deployments to the alerter over the real Lambda Invoke wire protocol (WireMock). */
class LambdaAlertNotifierTest {
    private static final String INVOKE = "/2015-03-31/functions/flowgate-alerter/invocations";
    private WireMockServer server;
    private LambdaClient lambda;
    private final List<DeploymentAlert> fallback = new ArrayList<>();
    private LambdaAlertNotifier notifier;
    private final DeploymentAlert alert = new DeploymentAlert("d-1", "TrainFlow", Optional.of("churn_model"), "acme/flows",
            "0123456789abcdef0123456789abcdef01234567", "main", Outcome.MISMATCH, "flows/train.py differs", Optional.of("#ml-alerts"));

    @BeforeEach
    void start() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        lambda = LambdaClient.builder().endpointOverride(URI.create(server.baseUrl())).region(Region.US_EAST_1)
                .credentialsProvider(AwsSettings.emulatorCredentials()).build();
        notifier = new LambdaAlertNotifier(lambda, "flowgate-alerter", fallback::add,
                Clock.fixed(Instant.parse("2026-11-29T01:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        lambda.close();
        server.stop();
    }

    @Test
    void notify_invokesTheAlerterAsynchronouslyWithItsDeploymentFailedEvent() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(202)));
        notifier.notify(alert);
        server.verify(postRequestedFor(urlEqualTo(INVOKE))
                .withHeader("X-Amz-Invocation-Type", equalTo("Event"))
                .withRequestBody(equalToJson("""
                        {"version": "0", "source": "flowgate.deployer", "detail-type": "Deployment Failed",
                         "time": "2026-11-29T01:00:00Z",
                         "detail": {"deployment_id": "d-1", "flow": "TrainFlow", "project": "churn_model", "repository": "acme/flows",
                                    "commit_sha": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
                                    "outcome": "mismatch", "message": "flows/train.py differs", "channel": "#ml-alerts"}}""")));
        assertThat(fallback).isEmpty();
    }

    @Test
    void notify_whenTheInvokeFails_fallsBackInsteadOfThrowing() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(404)
                .withHeader("x-amzn-ErrorType", "ResourceNotFoundException").withBody("{\"message\":\"no such function\"}")));
        notifier.notify(alert);
        assertThat(fallback).containsExactly(alert);
    }
}

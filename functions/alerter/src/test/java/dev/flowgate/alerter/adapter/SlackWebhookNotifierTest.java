package dev.flowgate.alerter.adapter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.flowgate.alerter.domain.SlackMessage;
import dev.flowgate.alerter.port.DeliveryFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Slack served by a real HTTP server (WireMock) on 127.0.0.1. */
class SlackWebhookNotifierTest {
    private static final String HOOK = "/services/T000/B000/XXXX";
    private final WireMockServer slack = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> sleeps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final SlackMessage message = new SlackMessage(Optional.of("#alerts"), "TrainFlow failed",
            JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode().put("type", "divider")));

    @BeforeEach
    void start() {
        slack.start();
    }

    @AfterEach
    void stop() {
        slack.stop();
    }

    private SlackWebhookNotifier notifier(String secret) {
        URI api = URI.create(slack.baseUrl() + "/api/chat.postMessage");
        return new SlackWebhookNotifier(http, () -> SlackTarget.parse(secret, api), 4, Duration.ofMillis(500),
                Duration.ofSeconds(20), sleeps::add);
    }

    private SlackWebhookNotifier webhook() {
        return notifier(slack.baseUrl() + HOOK);
    }

    @Test
    void post_when200_sendsTheBlockKitPayloadOnce() {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(200).withBody("ok")));
        webhook().post(message);
        slack.verify(1, postRequestedFor(urlEqualTo(HOOK)).withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withRequestBody(equalToJson("{\"channel\":\"#alerts\",\"text\":\"TrainFlow failed\",\"blocks\":[{\"type\":\"divider\"}]}")));
        assertThat(sleeps).isEmpty();
    }

    @Test
    void post_when429WithRetryAfter_waitsThatLongThenSucceeds() {
        slack.stubFor(post(HOOK).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody("rate_limited"))
                .willSetStateTo("ok"));
        slack.stubFor(post(HOOK).inScenario("rl").whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200).withBody("ok")));
        webhook().post(message);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
        slack.verify(2, postRequestedFor(urlEqualTo(HOOK)));
    }

    @Test
    void post_when429AsksForMoreThanTheCap_failsWithoutWaiting() {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        assertThatThrownBy(() -> webhook().post(message)).isInstanceOf(DeliveryFailedException.class)
                .hasMessageContaining("Retry-After 120s");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void post_when500Then200_retriesWithBackoff() {
        slack.stubFor(post(HOOK).inScenario("5xx").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        slack.stubFor(post(HOOK).inScenario("5xx").whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200).withBody("ok")));
        webhook().post(message);
        assertThat(sleeps).containsExactly(Duration.ofMillis(500));
    }

    @Test
    void post_whenAlways503_failsAfterFourAttemptsWithExponentialBackoff() {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(503).withBody("upstream down")));
        assertThatThrownBy(() -> webhook().post(message)).isInstanceOf(DeliveryFailedException.class)
                .hasMessageContaining("after 4 attempts").hasMessageContaining("HTTP 503 upstream down");
        slack.verify(4, postRequestedFor(urlEqualTo(HOOK)));
        assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofMillis(2000));
    }

    @Test
    void post_when404NoService_failsAtOnce() {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(404).withBody("no_service")));
        assertThatThrownBy(() -> webhook().post(message)).isInstanceOf(DeliveryFailedException.class)
                .hasMessageContaining("refused").hasMessageContaining("no_service");
        slack.verify(1, postRequestedFor(urlEqualTo(HOOK)));
    }

    @Test
    void post_whenBotToken_usesChatPostMessageAndChecksOk() {
        slack.stubFor(post("/api/chat.postMessage").willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\":false,\"error\":\"channel_not_found\"}")));
        SlackWebhookNotifier bot = notifier("{\"token\":\"xoxb-test\",\"channel\":\"#fallback\"}");
        SlackMessage noChannel = new SlackMessage(Optional.empty(), "x", JsonNodeFactory.instance.arrayNode());
        assertThatThrownBy(() -> bot.post(noChannel)).hasMessageContaining("channel_not_found");
        slack.verify(postRequestedFor(urlEqualTo("/api/chat.postMessage"))
                .withHeader("Authorization", equalTo("Bearer xoxb-test"))
                .withRequestBody(equalToJson("{\"channel\":\"#fallback\",\"text\":\"x\",\"blocks\":[]}")));
    }

    @Test
    void parse_whenSecretIsNeitherUrlNorJson_failsWithoutEchoingIt() {
        assertThatThrownBy(() -> SlackTarget.parse("hunter2", URI.create("https://slack.com/api/chat.postMessage")))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("hunter2");
    }
}

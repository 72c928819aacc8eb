package dev.flowgate.alerter.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.alerter.Fixtures;
import dev.flowgate.alerter.MotoStepFunctions;
import dev.flowgate.alerter.port.DeliveryFailedException;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end through the handler: a real failed execution in moto, the webhook URL from the emulator's
 * Secrets Manager, dedup in the CONTROL table, Slack served by WireMock.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlerterHandlerIT {
    private static final String HOOK = "/services/T0/B0/local";
    private final WireMockServer slack = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private AlerterHandler handler;
    private SfnClient sfn;
    private AwsEmulator emulator;

    @BeforeAll
    void setUp(AwsEmulator emulator) throws Exception {
        this.emulator = emulator;
        slack.start();
        String prefix = AwsEmulator.uniqueName("alr");
        Environment env = emulator.environment(prefix).with("FLOWGATE_SLACK_WEBHOOK_URL", slack.baseUrl() + HOOK)
                .with("FLOWGATE_SLACK_BACKOFF_MILLIS", "10").with("FLOWGATE_METAFLOW_UI_URL", "https://ui.example.com");
        try (ResourceProvisioner p = new ResourceProvisioner(emulator.settings(), new FlowgateResources(prefix))) {
            p.provisionAll(env);
        }
        MotoStepFunctions.enableExecution(emulator);
        handler = new AlerterHandler(env);
        sfn = emulator.settings().configure(SfnClient.builder());
    }

    @BeforeEach
    void resetSlack() {
        slack.resetAll();
    }

    @AfterAll
    void tearDown() {
        slack.stop();
        sfn.close();
    }

    /** A fresh Flowgate-tagged machine (its own burst window) with one failed execution; returns the event. */
    private ObjectNode failedExecutionEvent() throws Exception {
        String machine = MotoStepFunctions.failingMachine(sfn, AwsEmulator.uniqueName("churn.prod.TrainFlow").replace('-', '_'),
                "train", "BatchJobFailed",
                "{\"JobId\":\"job-42\",\"StatusReason\":\"Essential container in task exited\",\"Container\":{\"LogStreamName\":\"metaflow/default/x1\"}}",
                Map.of("flowgate:deployment", "dep-1", "flowgate:project", "churn", "flowgate:branch", "prod",
                        "flowgate:run", "TrainFlow/1841"));
        String execution = MotoStepFunctions.runToEnd(sfn, machine, "run-1");
        ObjectNode event = (ObjectNode) Fixtures.json("events/sfn-execution-failed.json");
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("executionArn", execution).put("stateMachineArn", machine).put("name", "run-1");
        detail.putNull("error");
        detail.putNull("cause");
        return event;
    }

    private JsonNode invoke(JsonNode event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.toString().getBytes(StandardCharsets.UTF_8)), out, null);
        return Fixtures.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void handle_whenRealFailedExecution_postsTheEnrichedAlertOnceForDuplicateEvents() throws Exception {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(200).withBody("ok")));
        ObjectNode event = failedExecutionEvent();
        assertThat(invoke(event).path("outcome").asText()).isEqualTo("posted");
        assertThat(invoke(event).path("outcome").asText()).isEqualTo("duplicate");
        slack.verify(1, postRequestedFor(urlEqualTo(HOOK)));
        JsonNode body = Fixtures.MAPPER.readTree(slack.getAllServeEvents().get(0).getRequest().getBodyAsString());
        assertThat(body.path("text").asText()).startsWith("TrainFlow (production) failed at step train: BatchJobFailed");
        assertThat(body.path("blocks").toString()).contains("https://ui.example.com/TrainFlow/sfn-run-1", "metaflow$252Fdefault$252Fx1");
    }

    @Test
    void handle_when500Then200_retriesWithinTheInvocation() throws Exception {
        slack.stubFor(post(HOOK).inScenario("s").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        slack.stubFor(post(HOOK).inScenario("s").whenScenarioStateIs("up").willReturn(aResponse().withStatus(200).withBody("ok")));
        assertThat(invoke(failedExecutionEvent()).path("outcome").asText()).isEqualTo("posted");
        slack.verify(2, postRequestedFor(urlEqualTo(HOOK)));
    }

    @Test
    void handle_whenSlackStaysDown_failsTheInvocationAndTheRedriveStillAlerts() throws Exception {
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(500)));
        ObjectNode event = failedExecutionEvent();
        assertThatThrownBy(() -> invoke(event)).isInstanceOf(DeliveryFailedException.class);
        slack.verify(4, postRequestedFor(urlEqualTo(HOOK)));
        slack.resetAll();
        slack.stubFor(post(HOOK).willReturn(aResponse().withStatus(200).withBody("ok")));
        assertThat(invoke(event).path("outcome").asText()).isEqualTo("posted"); // Lambda retry / DLQ redrive
        slack.verify(1, postRequestedFor(urlEqualTo(HOOK)));
    }

    @Test
    void handle_whenMachineIsNotFlowgates_ignoresIt() throws Exception {
        String machine = MotoStepFunctions.failingMachine(sfn, AwsEmulator.uniqueName("other").replace('-', '_'),
                "x", "E", "c", Map.of("team", "data"));
        ObjectNode event = failedExecutionEvent();
        ((ObjectNode) event.get("detail")).put("stateMachineArn", machine);
        assertThat(invoke(event).path("outcome").asText()).isEqualTo("ignored");
        slack.verify(0, postRequestedFor(urlEqualTo(HOOK)));
    }

    @Test
    void handle_whenEventIsMalformed_rejectsNamingTheField() throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.json("events/sfn-execution-failed.json");
        ((ObjectNode) event.get("detail")).remove("stateMachineArn");
        JsonNode answer = invoke(event);
        assertThat(answer.path("outcome").asText()).isEqualTo("rejected");
        assertThat(answer.path("field").asText()).isEqualTo("detail.stateMachineArn");
    }
}

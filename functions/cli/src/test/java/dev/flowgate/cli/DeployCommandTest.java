package dev.flowgate.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.aws.Environment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** flowgate deploy speaks the Lambda Invoke protocol to the deployer (a real HTTP server in the test). */
class DeployCommandTest {
    private static final String INVOKE = "/2015-03-31/functions/flowgate-deployer/invocations";
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private WireMockServer server;
    private Environment env;

    @BeforeEach
    void start() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        env = Environment.of(Map.of("FLOWGATE_LOCAL_URL", server.baseUrl(), "AWS_ACCESS_KEY_ID", "testing",
                "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", "us-east-1"));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void dryRun_sendsTheDeployRequestAndPrintsThePlan() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\": true, \"outcome\": \"planned\", \"flows\": [{\"flow\": \"TrainFlow\", \"plan\": \"create\"}]}")));
        Result result = run("acme/flows", SHA, "--ref", "main", "--flow", "TrainFlow", "--dry-run", "--json");
        assertThat(result.code).isZero();
        assertThat(result.out).contains("\"planned\"", "\"create\"");
        server.verify(postRequestedFor(urlEqualTo(INVOKE)).withRequestBody(equalToJson("""
                {"repository": "acme/flows", "commit_sha": "%s", "ref": "refs/heads/main", "flows": ["TrainFlow"],
                 "dry_run": true, "source": "cli"}""".formatted(SHA))));
    }

    @Test
    void refusedDeployment_exits1_invalidRequest_exits2() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\": false, \"outcome\": \"mismatch\", \"message\": \"flows/train.py differs\"}")));
        assertThat(run("acme/flows", SHA).code).isEqualTo(1);
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\": false, \"outcome\": \"invalid_request\", \"status\": 400, \"field\": \"commit_sha\"}")));
        assertThat(run("acme/flows", "main").code).isEqualTo(2);
        assertThat(run("acme/flows").code).isEqualTo(2);
    }

    @Test
    void showsEachFlowsStages_andEndsWithOneLine_whatWasDeployedOrTheRefusalWithItsFix() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200).withBody("""
                {"ok": true, "outcome": "deployed", "deployment_id": "d-1", "message": "deployed p.prod.TrainFlow from run TrainFlow/4",
                 "flows": [{"flow": "TrainFlow", "outcome": "deployed", "message": "deployed p.prod.TrainFlow from run TrainFlow/4",
                            "stage_ms": {"find_run": 12, "verify_code": 40, "deploy": 300}}]}""")));
        Result deployed = run("acme/flows", SHA);
        assertThat(deployed.code).isZero();
        assertThat(deployed.out).contains("deploy acme/flows @ " + SHA + " (refs/heads/main)", "stages: find_run 12 ms, verify_code 40 ms, deploy 300 ms");
        assertThat(lastLine(deployed.out)).isEqualTo("deployed p.prod.TrainFlow from run TrainFlow/4 (deployment d-1)");

        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200).withBody("""
                {"ok": false, "outcome": "no_tagged_run", "message": "TrainFlow: no run tagged prod_ready",
                 "flows": [{"flow": "TrainFlow", "outcome": "no_tagged_run", "message": "TrainFlow: no run tagged prod_ready"}]}""")));
        Result refused = run("acme/flows", SHA);
        assertThat(refused.code).isEqualTo(1);
        assertThat(lastLine(refused.out)).startsWith("not deployed: TrainFlow: no run tagged prod_ready — fix: tag the run")
                .contains("prod_ready");
    }

    @Test
    void aPlatformThatIsNotRunning_isOneLineWithTheFix_theStackTraceOnlyWithDebug() {
        String down = server.baseUrl();
        server.stop();
        Environment local = Environment.of(Map.of("FLOWGATE_LOCAL_URL", down, "AWS_ACCESS_KEY_ID", "testing",
                "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", "us-east-1"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Flowgate.run(new String[]{"deploy", "acme/flows", SHA}, local, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("error: cannot connect to " + down).contains("start the platform with scripts/platform")
                .doesNotContain("\tat ");
        assertThat(text.lines().count()).isEqualTo(2);

        ByteArrayOutputStream debug = new ByteArrayOutputStream();
        Flowgate.run(new String[]{"deploy", "acme/flows", SHA, "--debug"}, local, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(debug, true, StandardCharsets.UTF_8));
        assertThat(debug.toString(StandardCharsets.UTF_8)).contains("\tat ");
    }

    @Test
    void eachHistoryCommand_hasItsOwnUsage() {
        for (String command : List.of("deployments", "rollback", "undeploy")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(Flowgate.run(new String[]{command, "--help"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream()))).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: flowgate " + command + " FLOW")
                    .doesNotContain(List.of("deployments", "rollback", "undeploy").stream().filter(c -> !c.equals(command))
                            .map(c -> "flowgate " + c).toArray(String[]::new));
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    @Test
    void functionError_isReportedNotPrintedAsAResult() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200).withHeader("X-Amz-Function-Error", "Unhandled")
                .withBody("{\"errorMessage\": \"boom\"}")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Flowgate.run(new String[]{"deploy", "acme/flows", SHA}, env, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the deployer failed", "boom");
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DeployCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {
    }
}

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
        Result result = run("acme/flows", SHA, "--ref", "main", "--flow", "TrainFlow", "--dry-run");
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
    void functionError_isReportedNotPrintedAsAResult() {
        server.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(200).withHeader("X-Amz-Function-Error", "Unhandled")
                .withBody("{\"errorMessage\": \"boom\"}")));
        Result result = run("acme/flows", SHA);
        assertThat(result.code).isEqualTo(1);
        assertThat(result.err).contains("the deployer failed", "boom");
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

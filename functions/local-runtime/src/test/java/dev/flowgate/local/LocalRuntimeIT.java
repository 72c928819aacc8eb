package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local runtime end to end: real HTTP, the real SDK's Lambda client, a real emulator behind it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeIT {
    private final HttpClient http = HttpClient.newHttpClient();
    private final CountDownLatch asyncCalled = new CountDownLatch(1);
    private LocalRuntime runtime;
    private String prefix;

    @BeforeAll
    void start() {
        prefix = AwsEmulator.uniqueName("lr");
        Environment env = Environment.system().with("FLOWGATE_PORT", "0").with("FLOWGATE_RESOURCE_PREFIX", prefix)
                .with("FLOWGATE_API_KEY", "k3y").with("FLOWGATE_API_KEYS", "ann:ann-s3cret,sfn-jobs:j0bs-s3cret")
                .with("METAFLOW_SERVICE_URL", "http://127.0.0.1:9/a-teams-real-service")
                .with("FLOWGATE_METADATA_STORE", "emulator"); // test functions only: the store is LocalStateIT's
        runtime = LocalRuntime.start(env, functionEnv -> new LocalFunctions()
                .http("/echo", "echo", echo(), false)
                .http("/", "root", (event, context) -> response(200, "root:" + event.getPath()
                        + (event.getRequestContext().getAuthorizer() == null ? ""
                        : " as " + event.getRequestContext().getAuthorizer().get("principalId"))), true)
                .http("/boom", "boom", (event, context) -> {
                    throw new IllegalStateException("handler bug");
                }, false)
                .invokable("upper", (in, out, context) -> out.write(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .toUpperCase().getBytes(StandardCharsets.UTF_8)))
                .invokable("async", (in, out, context) -> asyncCalled.countDown())
                .invokable("failing", (in, out, context) -> {
                    throw new IOException("cannot deploy");
                }));
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    @Test
    void http_becomesApiGatewayProxyEvent_andResponseComesBack() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(runtime.url() + "/echo/a%20b?x=1&x=2&y="))
                .header("X-Hub-Signature-256", "sha256=abc")
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\": \"v\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("X-Echo")).contains("yes");
        JsonNode seen = FlowgateJson.parse(response.body());
        assertThat(seen.get("method").asText()).isEqualTo("POST");
        assertThat(seen.get("path").asText()).isEqualTo("/echo/a b");
        assertThat(seen.get("query").get("x").asText()).isEqualTo("2");
        assertThat(seen.get("multiQuery").get("x")).hasSize(2);
        assertThat(seen.get("query").get("y").asText()).isEmpty();
        assertThat(seen.get("signature").asText()).isEqualTo("sha256=abc");
        assertThat(seen.get("body").asText()).isEqualTo("{\"k\": \"v\"}");
        assertThat(seen.get("requestId").asText()).isNotBlank();
    }

    @Test
    void apiKey_whenConfigured_isRequiredOnProtectedMountsOnly() throws Exception {
        assertThat(get("/flows", Map.of()).statusCode()).isEqualTo(403);
        HttpResponse<String> ok = get("/flows", Map.of("x-api-key", "k3y"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("root:/flows as default");
        assertThat(get("/echo", Map.of()).statusCode()).isEqualTo(201);
    }

    @Test
    void namedApiKeys_passTheKeysNameAsTheAuthorizerPrincipal_andAnUnknownKeyIsRefused() throws Exception {
        assertThat(get("/flows", Map.of("x-api-key", "ann-s3cret")).body()).isEqualTo("root:/flows as ann");
        assertThat(get("/flows", Map.of("x-api-key", "j0bs-s3cret")).body()).isEqualTo("root:/flows as sfn-jobs");
        assertThat(get("/flows", Map.of("x-api-key", "ann-s3cre")).statusCode()).isEqualTo(403);
        assertThat(get("/echo", Map.of("x-api-key", "ann-s3cret")).body()).as("unprotected mounts name nobody")
                .doesNotContain("ann");
    }

    @Test
    void handlerException_becomes502WithoutStackTrace() throws Exception {
        HttpResponse<String> response = get("/boom", Map.of());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEqualTo("{\"message\":\"Internal server error\"}");
    }

    @Test
    void lambdaInvoke_throughTheRealSdk_returnsPayload() {
        try (LambdaClient lambda = lambdaClient()) {
            InvokeResponse response = lambda.invoke(r -> r.functionName("upper").payload(SdkBytes.fromUtf8String("{\"a\":\"b\"}")));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.functionError()).isNull();
            assertThat(response.payload().asUtf8String()).isEqualTo("{\"A\":\"B\"}");
        }
    }

    @Test
    void lambdaInvoke_eventType_answers202AndRunsLater() throws Exception {
        try (LambdaClient lambda = lambdaClient()) {
            InvokeResponse response = lambda.invoke(r -> r.functionName("arn:aws:lambda:us-east-1:000000000000:function:async")
                    .invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String("{}")));
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(asyncCalled.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void lambdaInvoke_whenFunctionThrows_reportsFunctionError() {
        try (LambdaClient lambda = lambdaClient()) {
            InvokeResponse response = lambda.invoke(r -> r.functionName("failing").payload(SdkBytes.fromUtf8String("{}")));
            assertThat(response.functionError()).isEqualTo("Unhandled");
            assertThat(response.payload().asUtf8String()).contains("cannot deploy").contains("java.io.IOException");
        }
    }

    @Test
    void lambdaInvoke_unknownFunction_isResourceNotFound() {
        try (LambdaClient lambda = lambdaClient()) {
            assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("nope").payload(SdkBytes.fromUtf8String("{}"))))
                    .isInstanceOf(ResourceNotFoundException.class)
                    .hasMessageContaining("Function not found: nope");
        }
    }

    @Test
    void healthz_reportsEmulatorAndFunctions() throws Exception {
        HttpResponse<String> response = get("/healthz", Map.of());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = FlowgateJson.parse(response.body());
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("emulator").get("up").asBoolean()).isTrue();
        assertThat(health.get("functions").toString()).contains("upper", "echo");
        assertThat(health.get("mounts").get("/echo").asText()).isEqualTo("echo");
    }

    @Test
    void start_provisionsTheSharedResourceDefinitionsOnTheEmulator() {
        try (DynamoDbClient dynamo = AwsSettings.from(runtime.functionEnvironment()).configure(DynamoDbClient.builder())) {
            assertThat(dynamo.listTables().tableNames())
                    .contains(new FlowgateResources(prefix).tableName(FlowgateResources.METADATA));
        }
    }

    @Test
    void functions_talkToThisPlatformsMetadataService_whateverTheShellsServiceUrlIs() {
        String own = runtime.functionEnvironment().require("FLOWGATE_LOCAL_URL");
        assertThat(runtime.functionEnvironment().require("METAFLOW_SERVICE_URL")).isEqualTo(own);
    }

    @Test
    void start_whenPortTaken_failsWithOneClearLine() {
        Environment env = Environment.system().with("FLOWGATE_PORT", Integer.toString(runtime.port()));
        assertThatThrownBy(() -> LocalRuntime.start(env, e -> new LocalFunctions()))
                .isInstanceOf(LocalHttpServer.PortInUseException.class)
                .hasMessageContaining("already in use")
                .hasMessageContaining("FLOWGATE_PORT");
    }

    private LambdaClient lambdaClient() {
        return LambdaClient.builder().endpointOverride(URI.create(runtime.url()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(AwsSettings.emulatorCredentials()).build();
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url() + path)).GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> echo() {
        return (event, context) -> {
            Map<String, Object> seen = new LinkedHashMap<>();
            seen.put("method", event.getHttpMethod());
            seen.put("path", event.getPath());
            seen.put("query", event.getQueryStringParameters());
            seen.put("multiQuery", event.getMultiValueQueryStringParameters());
            seen.put("signature", event.getHeaders().get("x-hub-signature-256"));
            seen.put("body", event.getBody());
            seen.put("requestId", event.getRequestContext().getRequestId());
            return response(201, FlowgateJson.write(seen)).withHeaders(Map.of("X-Echo", "yes"));
        };
    }

    private static APIGatewayProxyResponseEvent response(int status, String body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withBody(body);
    }
}

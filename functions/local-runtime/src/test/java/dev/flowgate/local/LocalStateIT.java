package dev.flowgate.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole local platform, as scripts/platform starts it, keeps its state in FLOWGATE_STATE_DIR: the metadata
 * (dynalite on disk), the datastore bucket's objects and the deployed state machines (moto's recording, replayed)
 * are there after a restart, and gone after {@link LocalState#erase} (what --fresh does).
 */
class LocalStateIT {
    private static final String DEFINITION = "{\"StartAt\":\"a\",\"States\":{\"a\":{\"Type\":\"Pass\",\"End\":true}}}";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void stateSurvivesARestart_andErasingItStartsClean(@TempDir Path state) throws Exception {
        String prefix = AwsEmulator.uniqueName("st");
        Environment env = Environment.system().with("FLOWGATE_PORT", "0").with("FLOWGATE_RESOURCE_PREFIX", prefix)
                .with("FLOWGATE_STATE_DIR", state.toString()).with("AWS_ENDPOINT_URL", null)
                .with("FLOWGATE_API_KEY", null).with("FLOWGATE_API_KEYS", null).with("FLOWGATE_METADATA_STORE", null);
        String bucket = new FlowgateResources(prefix).physicalName(FlowgateResources.DATASTORE.logicalName());

        try (LocalRuntime first = LocalRuntime.start(env, LocalPlatform::functions)) {
            JsonNode health = FlowgateJson.parse(get(first, "/healthz").body());
            assertThat(health.at("/metadataStore/kind").asText()).isEqualTo("dynalite");
            assertThat(health.at("/state/persistent").asBoolean()).isTrue();
            assertThat(post(first, "/flows/KeptFlow", "{}").statusCode()).isEqualTo(200);
            try (S3Client s3 = s3(first); SfnClient sfn = sfn(first)) {
                s3.putObject(r -> r.bucket(bucket).key("KeptFlow/data/ab/cd"), RequestBody.fromString("artifact bytes"));
                sfn.createStateMachine(r -> r.name(prefix + "-KeptFlow").definition(DEFINITION)
                        .roleArn("arn:aws:iam::123456789012:role/flowgate-sfn"));
            }
        }

        try (LocalRuntime second = LocalRuntime.start(env, LocalPlatform::functions)) {
            assertThat(get(second, "/flows/KeptFlow").statusCode()).isEqualTo(200);
            try (S3Client s3 = s3(second); SfnClient sfn = sfn(second)) {
                assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("KeptFlow/data/ab/cd")).asUtf8String())
                        .isEqualTo("artifact bytes");
                String machine = machineArn(sfn, prefix + "-KeptFlow");
                assertThat(machine).as("the deployed state machine is back").isNotNull();
                // executions run on the same store as the deployments: nothing has to switch moto's config later
                String execution = sfn.startExecution(r -> r.stateMachineArn(machine)).executionArn();
                assertThat(awaitEnd(sfn, execution)).isEqualTo(ExecutionStatus.SUCCEEDED);
            }
        }

        LocalState.erase(state);
        try (LocalRuntime fresh = LocalRuntime.start(env, LocalPlatform::functions)) {
            assertThat(get(fresh, "/flows/KeptFlow").statusCode()).isEqualTo(404);
            try (S3Client s3 = s3(fresh); SfnClient sfn = sfn(fresh)) {
                assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("KeptFlow/data/ab/cd")))
                        .isInstanceOf(NoSuchKeyException.class);
                assertThat(machineArn(sfn, prefix + "-KeptFlow")).isNull();
            }
        }
    }

    @Test
    void withoutAStateDirectory_everythingStaysInMemory() throws Exception {
        Environment env = Environment.system().with("FLOWGATE_PORT", "0")
                .with("FLOWGATE_RESOURCE_PREFIX", AwsEmulator.uniqueName("mem")).with("FLOWGATE_STATE_DIR", null)
                .with("AWS_ENDPOINT_URL", null).with("FLOWGATE_API_KEY", null).with("FLOWGATE_API_KEYS", null);
        try (LocalRuntime runtime = LocalRuntime.start(env, LocalPlatform::functions)) {
            JsonNode health = FlowgateJson.parse(get(runtime, "/healthz").body());
            assertThat(health.at("/state/persistent").asBoolean()).isFalse();
            assertThat(health.at("/metadataStore/kind").asText()).isEqualTo("dynalite");
            assertThat(post(runtime, "/flows/MemoryFlow", "{}").statusCode()).isEqualTo(200);
            assertThat(get(runtime, "/flows/MemoryFlow").statusCode()).isEqualTo(200);
        }
    }

    private static S3Client s3(LocalRuntime runtime) {
        return AwsSettings.from(runtime.functionEnvironment()).configure(S3Client.builder().forcePathStyle(true));
    }

    private static SfnClient sfn(LocalRuntime runtime) {
        return AwsSettings.from(runtime.functionEnvironment()).configure(SfnClient.builder());
    }

    private static String machineArn(SfnClient sfn, String name) {
        List<StateMachineListItem> machines = sfn.listStateMachines().stateMachines();
        return machines.stream().filter(m -> m.name().equals(name)).map(StateMachineListItem::stateMachineArn)
                .findFirst().orElse(null);
    }

    private static ExecutionStatus awaitEnd(SfnClient sfn, String execution) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            ExecutionStatus status = sfn.describeExecution(r -> r.executionArn(execution)).status();
            if (status != ExecutionStatus.RUNNING) {
                return status;
            }
            Thread.sleep(100);
        }
        return ExecutionStatus.RUNNING;
    }

    private HttpResponse<String> get(LocalRuntime runtime, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(runtime.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(LocalRuntime runtime, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(runtime.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

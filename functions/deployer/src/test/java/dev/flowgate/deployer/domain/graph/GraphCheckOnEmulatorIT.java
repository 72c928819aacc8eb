package dev.flowgate.deployer.domain.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.deployer.adapter.MetaflowFlowCompiler;
import dev.flowgate.deployer.adapter.MetaflowRunArtifacts;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The graph stage over the wire: the artifact record from a metadata service (WireMock, the service's JSON), the object
 * Metaflow stored from (emulated) S3, the real compiler. The object is the real {@code _graph_info} of a run of
 * {@code mutated_flow.py} made by the venv's Metaflow.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphCheckOnEmulatorIT {
    static final String SHA = "d9ecf7ac8fcfd6b8469a5bc89f05eec1250bc19d";
    private final WireMockServer metadata = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private S3Client s3;
    private String root;
    private final MetaflowFlowCompiler compiler = new MetaflowFlowCompiler();

    @BeforeAll
    void start(AwsEmulator emulator) throws IOException {
        metadata.start();
        FlowgateResources names = new FlowgateResources(AwsEmulator.uniqueName("graph"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.createBucket(FlowgateResources.DATASTORE);
        }
        s3 = emulator.settings().configure(S3Client.builder().forcePathStyle(true));
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        root = "s3://" + bucket + "/metaflow";
        byte[] stored;
        try (InputStream in = getClass().getResourceAsStream("/graphinfo/mutated_flow_graph_info.gz")) {
            stored = in.readAllBytes();
        }
        s3.putObject(r -> r.bucket(bucket).key("metaflow/MutatedFlow/data/d9/" + SHA), RequestBody.fromBytes(stored));
        for (String run : List.of("1", "2", "3", "4")) {
            String step = "/flows/MutatedFlow/runs/" + run + "/steps/start/tasks";
            metadata.stubFor(get(urlEqualTo(step)).willReturn(aResponse().withStatus(200)
                    .withBody("[{\"flow_id\":\"MutatedFlow\",\"run_number\":" + run + ",\"step_name\":\"start\",\"task_id\":1}]")));
        }
        serveRecord("1", SHA, ":root:" + root);
        serveRecord("2", SHA, ":root:s3://somebody-elses-bucket/metaflow");
        serveRecord("3", "e".repeat(40), ":root:" + root);
        // run 4 recorded no _graph_info: the service answers 404
    }

    void serveRecord(String run, String sha, String location) {
        metadata.stubFor(get(urlEqualTo("/flows/MutatedFlow/runs/" + run + "/steps/start/tasks/1/artifacts/_graph_info"))
                .willReturn(aResponse().withStatus(200).withBody("{\"name\":\"_graph_info\",\"sha\":\"" + sha
                        + "\",\"ds_type\":\"s3\",\"location\":\"" + location + "\",\"attempt_id\":0}")));
    }

    @AfterAll
    void stop() {
        metadata.stop();
        s3.close();
    }

    GraphCheck check() {
        return new GraphCheck(new MetaflowRunArtifacts(HttpClient.newHttpClient(), "http://127.0.0.1:" + metadata.port(),
                Map.of(), s3, root), compiler);
    }

    static TaggedRun run(String id) {
        return new TaggedRun("MutatedFlow", id, 1, List.of("prod_ready"), true, Optional.empty());
    }

    CompileRequest request() throws IOException {
        return GraphCheckTest.request(java.nio.file.Files.readString(GraphCheckTest.MUTATED_FLOW), "mutated_flow.py",
                "MutatedFlow");
    }

    @Test
    void theRunsRecord_inTheTeamsDatastore_givesTheMutatorsDecoratorsToTheDeployedFlow() throws IOException {
        CompileRequest request = request();

        GraphCheck.Checked checked = check().check(run("1"), request, compiler.compile(request));

        JsonNode states = FlowgateJson.parse(checked.flow().definitionJson()).get("States");
        for (String step : List.of("start", "train", "end")) {
            assertThat(states.get(step).at("/Parameters/RetryStrategy/Attempts").asInt()).as(step).isEqualTo(5);
        }
        assertThat(states.get("train").at("/Parameters/ContainerOverrides/ResourceRequirements").toString())
                .contains("GPU").contains("24576");
    }

    @Test
    void aRecordPointingOutsideTheTeamsDatastore_isRefused() throws IOException {
        CompileRequest request = request();
        assertThatThrownBy(() -> check().check(run("2"), request, compiler.compile(request)))
                .isInstanceOf(DeployError.GraphMismatch.class)
                .hasMessageContaining("not in the team's datastore " + root);
    }

    @Test
    void aRecordWhoseObjectIsMissing_isRefused() throws IOException {
        CompileRequest request = request();
        assertThatThrownBy(() -> check().check(run("3"), request, compiler.compile(request)))
                .isInstanceOf(DeployError.GraphMismatch.class).hasMessageContaining("has no object at " + root);
    }

    @Test
    void aRunWithoutRecord_isRefused() throws IOException {
        CompileRequest request = request();
        assertThatThrownBy(() -> check().check(run("4"), request, compiler.compile(request)))
                .isInstanceOf(DeployError.GraphMismatch.class).hasMessageContaining("recorded no artifact _graph_info");
    }
}

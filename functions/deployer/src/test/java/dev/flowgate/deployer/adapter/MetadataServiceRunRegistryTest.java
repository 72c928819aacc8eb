package dev.flowgate.deployer.adapter;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.TaggedRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry against a real HTTP server answering with the metadata service's JSON shapes. */
class MetadataServiceRunRegistryTest {
    static final WireMockServer SERVICE = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    static final String SHA = "910c9964c7cc5de5d95489e6febcc18e9f3bce25";
    static final String LOCATION = "s3://mf-bucket/mf/DemoFlow/data/91/" + SHA;
    MetadataServiceRunRegistry registry;

    @BeforeAll
    static void start() {
        SERVICE.start();
    }

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    @BeforeEach
    void reset() {
        SERVICE.resetAll();
        registry = new MetadataServiceRunRegistry(HttpJson.CLIENT, "http://127.0.0.1:" + SERVICE.port(),
                Map.of("x-api-key", "k"));
    }

    static void json(String path, String body) {
        SERVICE.stubFor(get(urlEqualTo(path)).withHeader("x-api-key", equalTo("k"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    static String run(Object runNumber, long ts, String tags) {
        String id = runNumber instanceof String s ? "\"" + s + "\"" : runNumber.toString();
        return "{\"flow_id\":\"DemoFlow\",\"run_number\":" + id + ",\"user_name\":\"SFN\",\"ts_epoch\":" + ts
                + ",\"tags\":" + tags + ",\"system_tags\":[\"runtime:step-functions\",\"production:demoflow-0-lewq\"],"
                + "\"last_heartbeat_ts\":null}";
    }

    static String metadata(String task, String field, String value, int attempt) {
        return "{\"id\":1,\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-new\",\"step_name\":\"x\",\"task_id\":\"" + task
                + "\",\"field_name\":\"" + field + "\",\"value\":" + value + ",\"type\":\"" + field
                + "\",\"user_name\":\"SFN\",\"ts_epoch\":1,\"tags\":[\"attempt_id:" + attempt + "\"],\"system_tags\":[]}";
    }

    void serveRuns() {
        json("/flows/DemoFlow/runs", "[" + run(41, 1000, "[\"prod_ready\"]") + "," + run("sfn-new", 3000, "[\"prod_ready\",\"x\"]")
                + "," + run(99, 5000, "[]") + "]");
        String base = "/flows/DemoFlow/runs/sfn-new/steps/";
        json(base + "start/tasks", "[{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-new\",\"step_name\":\"start\","
                + "\"task_id\":\"job-1\",\"tags\":[],\"system_tags\":[]}]");
        String codePackage = "\"{\\\"ds_type\\\": \\\"s3\\\", \\\"sha\\\": \\\"" + SHA + "\\\", \\\"location\\\": \\\"" + LOCATION
                + "\\\", \\\"metadata\\\": \\\"{\\\\\\\"version\\\\\\\": 0, \\\\\\\"archive_format\\\\\\\": \\\\\\\"tgz\\\\\\\","
                + " \\\\\\\"mfcontent_version\\\\\\\": 1}\\\"}\"";
        json(base + "start/tasks/job-1/metadata", "[" + metadata("job-1", "code-package", codePackage, 0) + ","
                + metadata("job-1", "script-name", "\"demoflow.py\"", 0) + "]");
        json(base + "end/tasks", "[{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-new\",\"step_name\":\"end\","
                + "\"task_id\":7,\"tags\":[],\"system_tags\":[]}]");
    }

    @Test
    void newestTagged_picksTheNewestTaggedRunItsSuccessAndItsDoubleEncodedCodePackage() {
        serveRuns();
        json("/flows/DemoFlow/runs/sfn-new/steps/end/tasks/7/metadata", "[" + metadata("7", "attempt_ok", "\"False\"", 0)
                + "," + metadata("7", "attempt_ok", "\"True\"", 1) + "]");

        TaggedRun run = registry.newestTagged("DemoFlow", "prod_ready").orElseThrow();

        assertThat(run.runId()).isEqualTo("sfn-new");
        assertThat(run.successful()).isTrue();
        assertThat(run.codePackage()).hasValueSatisfying(p -> {
            assertThat(p.sha()).isEqualTo(SHA);
            assertThat(p.location()).isEqualTo(LOCATION);
            assertThat(p.layoutVersion()).isEqualTo(1);
        });
    }

    @Test
    void newestTagged_whenARecordWasAppendedNamingAnotherLocationOfTheSameSha_refusesNamingBoth() {
        serveRuns();
        String base = "/flows/DemoFlow/runs/sfn-new/steps/";
        String hostile = "s3://mf-bucket/mf/DemoFlow/data/ab/abc';touch$IFS/tmp/x;'";
        String original = "\"{\\\"ds_type\\\": \\\"s3\\\", \\\"sha\\\": \\\"" + SHA + "\\\", \\\"location\\\": \\\"";
        json(base + "start/tasks/job-1/metadata", "[" + metadata("job-1", "code-package", original + hostile + "\\\"}\"", 0)
                + "," + metadata("job-1", "code-package", original + LOCATION + "\\\"}\"", 0) + "]");
        json(base + "end/tasks/7/metadata", "[" + metadata("7", "attempt_ok", "\"True\"", 0) + "]");

        assertThatThrownBy(() -> registry.newestTagged("DemoFlow", "prod_ready"))
                .isInstanceOf(DeployError.NoCodePackage.class)
                .hasMessageContaining("records 2 different code packages")
                .hasMessageContaining(hostile).hasMessageContaining(LOCATION);
    }

    @Test
    void newestTagged_countsTheGateTagOnlyAsAUserTag_neverAsASystemTag() {
        serveRuns();
        String systemTagged = "{\"flow_id\":\"DemoFlow\",\"run_number\":77,\"user_name\":\"eve\",\"ts_epoch\":9000,"
                + "\"tags\":[],\"system_tags\":[\"user:eve\",\"prod_ready\"],\"last_heartbeat_ts\":null}";
        json("/flows/DemoFlow/runs", "[" + systemTagged + "," + run("sfn-new", 3000, "[\"prod_ready\"]") + "]");
        json("/flows/DemoFlow/runs/sfn-new/steps/end/tasks/7/metadata", "[" + metadata("7", "attempt_ok", "\"True\"", 0) + "]");

        assertThat(registry.newestTagged("DemoFlow", "prod_ready").orElseThrow().runId())
                .as("the newer run carries prod_ready only as a system tag").isEqualTo("sfn-new");
    }

    @Test
    void newestTagged_readsWhoFirstAddedTheGateTag_andWithoutARecordLeavesItEmpty() {
        serveRuns();
        json("/flows/DemoFlow/runs/sfn-new/steps/end/tasks/7/metadata", "[" + metadata("7", "attempt_ok", "\"True\"", 0) + "]");
        assertThat(registry.newestTagged("DemoFlow", "prod_ready").orElseThrow().gateTagging()).isEmpty();

        json("/flows/DemoFlow/runs/sfn-new/flowgate/gate", "{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-new\","
                + "\"tag\":\"prod_ready\",\"tagged_by\":\"key-sha256:4e738ca5563c06cf\",\"caller_kind\":\"api-key\","
                + "\"user_name\":null,\"tagged_at\":1796504400000,\"via\":\"tag_mutation\",\"still_tagged\":true}");
        GateTagging gate = registry.newestTagged("DemoFlow", "prod_ready").orElseThrow().gateTagging().orElseThrow();
        assertThat(gate.taggedBy()).isEqualTo("key-sha256:4e738ca5563c06cf");
        assertThat(gate.callerKind()).isEqualTo("api-key");
        assertThat(gate.userName()).isEmpty();
        assertThat(gate.taggedAt()).isEqualTo(Instant.ofEpochMilli(1796504400000L));
        assertThat(gate.summary()).isEqualTo("prod_ready by key-sha256:4e738ca5563c06cf at 2026-12-05T21:00:00Z");
    }

    @Test
    void newestTagged_whenLastAttemptFailed_isNotSuccessful() {
        serveRuns();
        json("/flows/DemoFlow/runs/sfn-new/steps/end/tasks/7/metadata", "[" + metadata("7", "attempt_ok", "\"True\"", 0)
                + "," + metadata("7", "attempt_ok", "\"False\"", 1) + "]");
        assertThat(registry.newestTagged("DemoFlow", "prod_ready").orElseThrow().successful()).isFalse();
    }

    @Test
    void newestTagged_whenFlowUnknownOrNothingTagged_isEmpty() {
        SERVICE.stubFor(get(urlEqualTo("/flows/Nope/runs")).willReturn(aResponse().withStatus(404).withBody("{}")));
        json("/flows/Untagged/runs", "[" + run(1, 1, "[]") + "]");
        assertThat(registry.newestTagged("Nope", "prod_ready")).isEmpty();
        assertThat(registry.newestTagged("Untagged", "prod_ready")).isEmpty();
    }

    @Test
    void addTags_patchesTagMutateAndRetriesAConflict() {
        SERVICE.stubFor(patch(urlEqualTo("/flows/DemoFlow/runs/sfn-new/tag/mutate")).inScenario("c")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(409)
                        .withBody("\"Conflicting concurrent tag mutation, please retry\"")).willSetStateTo("retry"));
        SERVICE.stubFor(patch(urlEqualTo("/flows/DemoFlow/runs/sfn-new/tag/mutate")).inScenario("c")
                .whenScenarioStateIs("retry").willReturn(aResponse().withStatus(200).withBody("{\"tags\":[\"prod_ready\",\"git_hash:abc\"]}")));

        registry.addTags("DemoFlow", "sfn-new", List.of("git_hash:abc"));

        SERVICE.verify(2, patchRequestedFor(urlEqualTo("/flows/DemoFlow/runs/sfn-new/tag/mutate"))
                .withRequestBody(equalToJson("{\"tags_to_add\":[\"git_hash:abc\"],\"tags_to_remove\":[]}")));
    }

    @Test
    void addTags_whenRefused_isAnUnavailableErrorWithTheStatus() {
        SERVICE.stubFor(patch(urlEqualTo("/flows/DemoFlow/runs/1/tag/mutate")).willReturn(aResponse().withStatus(422).withBody("{}")));
        assertThatThrownBy(() -> registry.addTags("DemoFlow", "1", List.of("t")))
                .isInstanceOf(DeployError.Unavailable.class).hasMessageContaining("422");
    }
}

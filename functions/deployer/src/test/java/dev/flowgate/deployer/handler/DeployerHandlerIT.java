package dev.flowgate.deployer.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.fakes.TestGraphInfo;
import dev.flowgate.deployer.fakes.TestPackages;
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
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deploy journey through the real wiring: code package in (emulated) S3, run and tags in a metadata
 * service (WireMock, the service's JSON shapes), repository in a GitHub API (WireMock, trees with real blob
 * ids), the real flow compiler (settings from a Secrets Manager secret), job definitions in (emulated) Batch,
 * state machine, schedule and finish rule in (emulated) Step Functions, EventBridge Scheduler and EventBridge,
 * records in DynamoDB.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployerHandlerIT {
    static final String REPO = "acme/ml-flows";
    static final String GOOD = "1".repeat(40);
    static final String DRIFTED = "2".repeat(40);
    static final String UNMERGED = "3".repeat(40);
    /** The compile stage's flow, also with a time zone on its schedule and an upstream flow. */
    static final String FLOW = dev.flowgate.deployer.adapter.MetaflowFlowCompilerTest.FLOW
            .replace("import FlowSpec, step, project, schedule", "import FlowSpec, step, project, schedule, trigger_on_finish")
            .replace("@schedule(cron=\"0 3 * * ? *\")", "@schedule(cron=\"0 3 * * ? *\", timezone=\"Europe/Berlin\")\n"
                    + "@trigger_on_finish(flow=\"IngestFlow\")");
    static final String MANIFEST = "project: demo\nflows:\n  - name: DemoFlow\n    file: flows/demoflow.py\n";
    private final WireMockServer github = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private final WireMockServer metadata = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    private Environment env;
    private String graphInfoSha;
    private String datastore;
    private DeployerHandler handler;
    private String location;
    /** Where the deployer publishes the verified bytes, which the state machine downloads. */
    private String published;
    private AwsEmulator emulator;

    @BeforeAll
    void start(AwsEmulator emulator) {
        this.emulator = emulator;
        github.start();
        metadata.start();
        names = new FlowgateResources(AwsEmulator.uniqueName("e2e"));
        env = emulator.environment(names.prefix())
                .with("FLOWGATE_REPOSITORIES", REPO)
                .with("FLOWGATE_GITHUB_TOKEN", "test-token")
                .with("FLOWGATE_GITHUB_API_URL", "http://127.0.0.1:" + github.port())
                .with("METAFLOW_SERVICE_URL", "http://127.0.0.1:" + metadata.port())
                .with("FLOWGATE_LOCAL_URL", null)
                .with("FLOWGATE_METAFLOW_CONFIG_SECRET", names.prefix() + "/metaflow-config");
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.provisionAll(env);
        }
        try (SecretsManagerClient secrets = emulator.settings().configure(SecretsManagerClient.builder())) {
            secrets.createSecret(r -> r.name(names.prefix() + "/metaflow-config")
                    .secretString("{\"METAFLOW_BATCH_JOB_QUEUE\": \"arn:aws:batch:us-east-1:123456789012:job-queue/it-queue\","
                            + " \"METAFLOW_DATASTORE_SYSROOT_S3\": \"s3://" + names.physicalName("datastore") + "/mf\","
                            + " \"METAFLOW_ECS_S3_ACCESS_IAM_ROLE\": \"arn:aws:iam::123456789012:role/batch\","
                            + " \"METAFLOW_SERVICE_URL\": \"http://127.0.0.1:" + metadata.port() + "\"}"));
        }
        Map<String, String> packaged = Map.of("demoflow.py", FLOW, "helpers/util.py", "X = 1\n");
        byte[] archive = TestPackages.v1(packaged);
        String sha = CodePackageReader.sha1(archive);
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        String key = "mf/DemoFlow/data/" + sha.substring(0, 2) + "/" + sha;
        location = "s3://" + bucket + "/" + key;
        // the run's own record of its graph (_graph_info), where Metaflow's content-addressed store keeps it
        byte[] graphInfo = new TestGraphInfo()
                .step("start", "start", List.of("end")).step("end", "end", List.of())
                .flowDecorator(TestGraphInfo.decorator("project", Map.of("name", "demo", "branch", "None", "production", false)))
                .flowDecorator(TestGraphInfo.decorator("schedule", Map.of("cron", "0 3 * * ? *", "timezone", "Europe/Berlin",
                        "daily", true, "weekly", false, "hourly", false)))
                .flowDecorator(TestGraphInfo.decorator("trigger_on_finish", Map.of("flow", "IngestFlow", "flows", List.of(),
                        "options", Map.of())))
                .pickle();
        graphInfoSha = CodePackageReader.sha1(graphInfo);
        published = "s3://" + bucket + "/flowgate/verified/"
                + dev.flowgate.deployer.domain.VerifiedPackagePublisher.hex("SHA-256", archive) + "/DemoFlow/data/"
                + sha.substring(0, 2) + "/" + sha;
        try (S3Client s3 = emulator.settings().configure(S3Client.builder().forcePathStyle(true))) {
            s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(archive));
            s3.putObject(r -> r.bucket(bucket).key("mf/DemoFlow/data/" + graphInfoSha.substring(0, 2) + "/" + graphInfoSha),
                    RequestBody.fromBytes(TestGraphInfo.gzip(graphInfo)));
        }
        datastore = "s3://" + bucket + "/mf";
        Map<String, String> repo = new LinkedHashMap<>();
        repo.put("flowgate.yaml", MANIFEST);
        repo.put("flows/demoflow.py", FLOW);
        repo.put("flows/helpers/util.py", "X = 1\n");
        serveCommit(GOOD, repo);
        repo.put("flows/helpers/util.py", "X = 2\n");
        serveCommit(DRIFTED, repo);
        github.stubFor(post(urlPathMatching("/repos/acme/ml-flows/statuses/.*")).willReturn(aResponse().withStatus(201).withBody("{}")));
        // main's history: GOOD, then DRIFTED (its head); UNMERGED lives on another branch only
        github.stubFor(get(urlEqualTo("/repos/acme/ml-flows/git/ref/heads/main")).willReturn(aResponse().withStatus(200)
                .withBody("{\"ref\":\"refs/heads/main\",\"object\":{\"sha\":\"" + DRIFTED + "\",\"type\":\"commit\"}}")));
        github.stubFor(get(urlEqualTo("/repos/acme/ml-flows/compare/" + GOOD + "..." + DRIFTED + "?per_page=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ahead\",\"ahead_by\":1,\"behind_by\":0}")));
        github.stubFor(get(urlEqualTo("/repos/acme/ml-flows/compare/" + UNMERGED + "..." + DRIFTED + "?per_page=1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"diverged\",\"ahead_by\":1,\"behind_by\":1}")));
        serveMetadata(sha);
        handler = new DeployerHandler(env);
    }

    void serveCommit(String sha, Map<String, String> files) {
        ArrayNode tree = FlowgateJson.mapper().createArrayNode();
        files.forEach((path, content) -> {
            tree.addObject().put("path", path).put("mode", "100644").put("type", "blob")
                    .put("sha", CodePackageReader.gitBlobId(content.getBytes(StandardCharsets.UTF_8)));
            github.stubFor(get(urlEqualTo("/repos/acme/ml-flows/contents/" + path + "?ref=" + sha))
                    .withHeader("Authorization", equalTo("Bearer test-token"))
                    .willReturn(aResponse().withStatus(200).withBody(content)));
        });
        ObjectNode body = FlowgateJson.mapper().createObjectNode().put("sha", sha).put("truncated", false);
        body.set("tree", tree);
        github.stubFor(get(urlEqualTo("/repos/acme/ml-flows/git/trees/" + sha + "?recursive=1"))
                .willReturn(aResponse().withStatus(200).withBody(FlowgateJson.write(body))));
    }

    void serveMetadata(String packageSha) {
        metadata.stubFor(get(urlEqualTo("/flows/DemoFlow/runs")).willReturn(aResponse().withStatus(200).withBody(
                "[{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-e2e\",\"user_name\":\"SFN\",\"ts_epoch\":5,"
                        + "\"tags\":[\"prod_ready\"],\"system_tags\":[\"runtime:step-functions\"],\"last_heartbeat_ts\":null}]")));
        String steps = "/flows/DemoFlow/runs/sfn-e2e/steps/";
        metadata.stubFor(get(urlEqualTo(steps + "start/tasks")).willReturn(aResponse().withStatus(200)
                .withBody("[{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-e2e\",\"step_name\":\"start\",\"task_id\":\"job-1\"}]")));
        metadata.stubFor(get(urlEqualTo(steps + "end/tasks")).willReturn(aResponse().withStatus(200)
                .withBody("[{\"flow_id\":\"DemoFlow\",\"run_number\":\"sfn-e2e\",\"step_name\":\"end\",\"task_id\":\"job-9\"}]")));
        ObjectNode value = FlowgateJson.mapper().createObjectNode().put("ds_type", "s3").put("sha", packageSha)
                .put("location", location).put("metadata", "{\"version\": 0, \"archive_format\": \"tgz\", \"mfcontent_version\": 1}");
        ArrayNode startRows = FlowgateJson.mapper().createArrayNode();
        startRows.addObject().put("field_name", "code-package").put("type", "code-package")
                .put("value", FlowgateJson.write(value)).putArray("tags").add("attempt_id:0");
        metadata.stubFor(get(urlEqualTo(steps + "start/tasks/job-1/metadata"))
                .willReturn(aResponse().withStatus(200).withBody(FlowgateJson.write(startRows))));
        metadata.stubFor(get(urlEqualTo(steps + "end/tasks/job-9/metadata")).willReturn(aResponse().withStatus(200)
                .withBody("[{\"field_name\":\"attempt_ok\",\"value\":\"True\",\"type\":\"internal_attempt_status\",\"tags\":[\"attempt_id:0\"]}]")));
        metadata.stubFor(get(urlEqualTo(steps + "start/tasks/job-1/artifacts/_graph_info")).willReturn(aResponse().withStatus(200)
                .withBody("{\"name\":\"_graph_info\",\"sha\":\"" + graphInfoSha + "\",\"ds_type\":\"s3\",\"location\":\":root:"
                        + datastore + "\",\"attempt_id\":0}")));
        metadata.stubFor(patch(urlEqualTo("/flows/DemoFlow/runs/sfn-e2e/tag/mutate"))
                .willReturn(aResponse().withStatus(200).withBody("{\"tags\":[\"prod_ready\"]}")));
    }

    private FlowgateResources names;

    @AfterAll
    void stop() {
        github.stop();
        metadata.stop();
    }

    JsonNode invoke(String sha) throws IOException {
        String payload = "{\"repository\":\"" + REPO + "\",\"commit_sha\":\"" + sha + "\",\"ref\":\"refs/heads/main\","
                + "\"request_id\":\"jenkins:deploy#" + sha.charAt(0) + "\"}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
        return FlowgateJson.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void deploy_verifiedCommit_thenDriftedCommitIsRefusedNamingTheFile() throws IOException {
        JsonNode deployed = invoke(GOOD);

        assertThat(deployed.get("outcome").asText()).as(deployed.toString()).isEqualTo("deployed");
        String machine = deployed.get("flows").get(0).get("state_machine").asText();
        assertThat(machine).isEqualTo("demo.prod.DemoFlow");
        try (SfnClient sfn = emulator.settings().configure(SfnClient.builder());
             SchedulerClient scheduler = emulator.settings().configure(SchedulerClient.builder());
             EventBridgeClient events = emulator.settings().configure(EventBridgeClient.builder())) {
            String arn = sfn.listStateMachines().stateMachines().stream().filter(m -> m.name().equals(machine))
                    .findFirst().orElseThrow().stateMachineArn();
            // production downloads the bytes the deployer verified and published, not the run's recorded key
            assertThat(sfn.describeStateMachine(r -> r.stateMachineArn(arn)).definition()).contains(published)
                    .doesNotContain(location);
            var schedule = scheduler.getSchedule(r -> r.groupName(names.scheduleGroupName()).name(machine));
            assertThat(schedule.scheduleExpression()).isEqualTo("cron(0 3 * * ? *)");
            assertThat(schedule.scheduleExpressionTimezone()).isEqualTo("Europe/Berlin");
            assertThat(schedule.target().arn()).isEqualTo(arn);
            String rule = names.finishRulePrefix() + machine;
            assertThat(events.describeRule(r -> r.name(rule)).eventPattern())
                    .contains(arn.replace(":stateMachine:" + machine, ":stateMachine:demo.prod.IngestFlow"));
            assertThat(events.listTargetsByRule(r -> r.rule(rule)).targets()).singleElement()
                    .satisfies(t -> assertThat(t.arn()).isEqualTo(arn));
        }
        metadata.verify(patchRequestedFor(urlEqualTo("/flows/DemoFlow/runs/sfn-e2e/tag/mutate"))
                .withRequestBody(matchingJsonPath("$.tags_to_add[0]", equalTo("git_hash:" + GOOD))));
        github.verify(postRequestedFor(urlEqualTo("/repos/acme/ml-flows/statuses/" + GOOD))
                .withRequestBody(matchingJsonPath("$.state", equalTo("success")))
                .withRequestBody(matchingJsonPath("$.context", equalTo("flowgate/DemoFlow"))));

        try (BatchClient batch = emulator.settings().configure(BatchClient.builder())) {
            assertThat(batch.describeJobDefinitions(r -> r.status("ACTIVE")).jobDefinitions())
                    .anyMatch(d -> d.jobDefinitionName().startsWith("flowgate_")
                            && d.containerProperties().jobRoleArn().equals("arn:aws:iam::123456789012:role/batch"));
        }

        assertThat(deployed.get("flows").get(0).get("stage_ms").has("graph_check")).as(deployed.toString()).isTrue();
        metadata.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlEqualTo("/flows/DemoFlow/runs/sfn-e2e/steps/start/tasks/job-1/artifacts/_graph_info")));

        JsonNode again = invoke(GOOD);
        assertThat(again.get("outcome").asText()).isEqualTo("already_deployed");

        JsonNode refused = invoke(DRIFTED);
        assertThat(refused.get("outcome").asText()).isEqualTo("mismatch");
        assertThat(refused.get("flows").get(0).get("comparison").get("mismatched").get(0).asText()).isEqualTo("helpers/util.py");
        github.verify(postRequestedFor(urlEqualTo("/repos/acme/ml-flows/statuses/" + DRIFTED))
                .withRequestBody(matchingJsonPath("$.state", equalTo("failure")))
                .withRequestBody(matchingJsonPath("$.description", containing("helpers/util.py"))));

        JsonNode unmerged = invoke(UNMERGED);
        assertThat(unmerged.get("outcome").asText()).isEqualTo("commit_not_on_ref");
        assertThat(unmerged.get("message").asText()).contains("is not on refs/heads/main");

        assertThat(DeployerWiring.history(env).deployments("DemoFlow", 10)).extracting(DeploymentRecord::commitSha)
                .containsExactly(DRIFTED, GOOD);
    }
}

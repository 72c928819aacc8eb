package dev.flowgate.deployer.adapter;

import dev.flowgate.compiler.asl.IncludedFile;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.MachineTriggers;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.domain.ProjectBranch;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The AWS adapters against the emulator (moto): DynamoDB, S3, Step Functions, EventBridge. */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsAdaptersIT {
    static final String ROLE = "arn:aws:iam::123456789012:role/flowgate-test";
    private FlowgateResources names;
    private AwsEmulator emulator;
    private DynamoDbClient dynamo;
    private S3Client s3;
    private SfnClient sfn;
    private EventBridgeClient events;
    private SchedulerClient scheduler;
    private DynamoDbDeploymentStore store;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        this.emulator = emulator;
        names = new FlowgateResources(AwsEmulator.uniqueName("dep"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.createTable(FlowgateResources.CONTROL);
            provisioner.createBucket(FlowgateResources.DATASTORE);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        s3 = emulator.settings().configure(S3Client.builder().forcePathStyle(true));
        sfn = emulator.settings().configure(SfnClient.builder());
        events = emulator.settings().configure(EventBridgeClient.builder());
        scheduler = emulator.settings().configure(SchedulerClient.builder());
        store = new DynamoDbDeploymentStore(dynamo, names.tableName(FlowgateResources.CONTROL));
    }

    @AfterAll
    void close() {
        dynamo.close();
        s3.close();
        sfn.close();
        events.close();
        scheduler.close();
    }

    @Test
    void claim_isWonOnceUntilReleased() {
        Instant expires = Instant.now().plusSeconds(600);
        assertThat(store.claim("delivery#abc", "d-1", expires)).isEmpty();
        assertThat(store.claim("delivery#abc", "d-2", expires)).contains("d-1");
        store.release("delivery#abc");
        assertThat(store.claim("delivery#abc", "d-3", expires)).isEmpty();
    }

    @Test
    void claim_whenTheEarlierClaimExpired_isWonAgain() {
        assertThat(store.claim("commit#x", "d-1", Instant.now().minusSeconds(5))).isEmpty();
        assertThat(store.claim("commit#x", "d-2", Instant.now().plusSeconds(600))).isEmpty();
        assertThat(store.claim("commit#x", "d-3", Instant.now().plusSeconds(600))).contains("d-2");
    }

    @Test
    void record_keepsHistoryNewestFirstAndMarksSuccessfulCommits() {
        String flow = "HistFlow" + System.nanoTime();
        store.record(record("d-20261129T000001Z-aaaaaa", flow, "a", Outcome.DEPLOYED));
        store.record(record("d-20261129T000002Z-bbbbbb", flow, "b", Outcome.MISMATCH));
        store.record(record("d-20261129T000003Z-cccccc", flow, "c", Outcome.DEPLOYED));

        List<DeploymentRecord> history = store.history(flow, 10);
        assertThat(history).extracting(DeploymentRecord::commitSha).containsExactly("c", "b", "a");
        assertThat(history.get(1).differing()).containsExactly("flows/x.py");
        assertThat(history.get(0).stageMillis()).containsEntry("deploy", 12L);
        assertThat(store.deployed("acme/ml-flows", "main", "a", flow)).hasValueSatisfying(
                r -> assertThat(r.deploymentId()).isEqualTo("d-20261129T000001Z-aaaaaa"));
        assertThat(store.deployed("acme/ml-flows", "main", "b", flow)).isEmpty();
        assertThat(store.history(flow, 1)).hasSize(1);
    }

    @Test
    void record_keepsWhoTaggedTheRunProdReady_andRecordsWithoutItReadBackEmpty() {
        String flow = "GateFlow" + System.nanoTime();
        GateTagging gate = new GateTagging("ann-laptop", "authorizer", "ann", Instant.parse("2026-12-05T21:00:00Z"),
                "tag_mutation");
        store.record(record("d-20261205T210001Z-aaaaaa", flow, "a", Outcome.DEPLOYED).toBuilder().gateTagging(gate).build());
        store.record(record("d-20261205T210002Z-bbbbbb", flow, "b", Outcome.DEPLOYED));

        List<DeploymentRecord> history = store.history(flow, 10);
        assertThat(history.get(1).gate()).contains(gate);
        assertThat(history.get(0).gate()).isEmpty();
    }

    @Test
    void record_keepsTheTargetAndTheTriggers_andReadsOlderRowsByTheStateMachinesName() {
        String flow = "TriggerFlow" + System.nanoTime();
        MachineTriggers triggers = new MachineTriggers(Optional.of(new FlowCompiler.Schedule("cron(0 6 * * ? *)",
                Optional.of("Europe/Berlin"))), List.of("proj.prod.IngestFlow"));
        store.record(record("d-20261206T000001Z-aaaaaa", flow, "a", Outcome.DEPLOYED).toBuilder().triggers(triggers).build());
        store.record(record("d-20261206T000002Z-bbbbbb", flow, "b", Outcome.DEPLOYED).toBuilder()
                .stateMachine("proj.test.feature_x." + flow).production(false).triggers(MachineTriggers.NONE).build());
        // a row written before target and triggers were recorded
        dynamo.putItem(r -> r.tableName(names.tableName(FlowgateResources.CONTROL)).item(Map.of(
                "pk", AttributeValue.fromS("deployments#" + flow), "sk", AttributeValue.fromS("d-20261206T000003Z-cccccc"),
                "flow", AttributeValue.fromS(flow), "deployment_id", AttributeValue.fromS("d-20261206T000003Z-cccccc"),
                "kind", AttributeValue.fromS("deploy"), "outcome", AttributeValue.fromS("deployed"),
                "state_machine", AttributeValue.fromS("proj.test.old." + flow), "at", AttributeValue.fromS(Instant.now().toString()))));

        List<DeploymentRecord> history = store.history(flow, 10);
        assertThat(history.get(2).production()).isTrue();
        assertThat(history.get(2).triggers()).contains(triggers);
        assertThat(history.get(1).production()).isFalse();
        assertThat(history.get(1).triggers()).contains(MachineTriggers.NONE);
        assertThat(history.get(0).production()).isFalse();
        assertThat(history.get(0).triggers()).isEmpty();
    }

    private static DeploymentRecord record(String id, String flow, String sha, Outcome outcome) {
        return DeploymentRecord.builder().deploymentId(id).flow(flow).kind("deploy")
                .repository("acme/ml-flows").commitSha(sha).branch("main")
                .outcome(outcome).message("m")
                .runPathspec(flow + "/1").stateMachine("proj.prod." + flow).versionArn("")
                .definition(outcome == Outcome.DEPLOYED ? "{\"v\":\"" + sha + "\"}" : "")
                .at(Instant.now())
                .stageMillis(Map.of("deploy", 12L))
                .differing(outcome == Outcome.DEPLOYED ? List.of() : List.of("flows/x.py"))
                .build();
    }

    @Test
    void jobDefinitions_compiledByTheFlowCompiler_registerOnceInBatch() {
        var compiled = new MetaflowFlowCompiler().compile(MetaflowFlowCompilerTest.request(
                MetaflowFlowCompilerTest.FLOW, "DemoFlow", ProjectBranch.production()));
        try (BatchClient batch = emulator.settings().configure(BatchClient.builder())) {
            BatchJobDefinitionRegistry registry = new BatchJobDefinitionRegistry(batch);
            registry.register(compiled.jobDefinitions());
            registry.register(compiled.jobDefinitions());
            String name = compiled.jobDefinitions().get(0).name();
            var registered = batch.describeJobDefinitions(r -> r.jobDefinitionName(name)).jobDefinitions();
            assertThat(registered).hasSize(1);
            assertThat(registered.get(0).containerProperties().image()).isNotBlank();
        }
    }

    @Test
    void ruleName_longNamesFollowMetaflowsTruncation() {
        assertThat(SfnStateMachineDeployer.ruleName("a".repeat(70)))
                .isEqualTo("a".repeat(47) + "-5vwgtwpiwq3tv6dd");
        assertThat(SfnStateMachineDeployer.ruleName("proj.prod.F")).isEqualTo("proj.prod.F");
    }

    @Test
    void codePackageStore_readsTheObjectAtAnS3Location() {
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        s3.putObject(r -> r.bucket(bucket).key("mf/DemoFlow/data/ab/abc"), RequestBody.fromBytes(new byte[]{1, 2, 3}));
        S3CodePackageStore packages = new S3CodePackageStore(s3, "s3://" + bucket + "/mf");
        assertThat(packages.fetch("s3://" + bucket + "/mf/DemoFlow/data/ab/abc")).containsExactly(1, 2, 3);
        String sha = "ab" + "0".repeat(38);
        String stored = packages.store("DemoFlow", sha, new byte[]{4, 5});
        assertThat(stored).isEqualTo("s3://" + bucket + "/mf/DemoFlow/data/ab/" + sha);
        assertThat(packages.fetch(stored)).containsExactly(4, 5);
        assertThat(s3.headObject(r -> r.bucket(bucket).key("mf/DemoFlow/data/ab/" + sha)).metadata())
                .containsEntry("metaflow-user-attributes", "{\"cas_raw\": true, \"cas_version\": 1}");
        assertThatThrownBy(() -> packages.fetch("s3://" + bucket + "/missing")).hasMessageContaining("could not be read");
        assertThatThrownBy(() -> packages.fetch("gs://b/k")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void codePackageStore_refusesAnObjectLargerThanItsCap_namingLocationAndCap_andReadsOneAtTheCap() {
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        s3.putObject(r -> r.bucket(bucket).key("mf/BigFlow/data/aa/big"), RequestBody.fromBytes(new byte[1025]));
        s3.putObject(r -> r.bucket(bucket).key("mf/BigFlow/data/aa/fits"), RequestBody.fromBytes(new byte[1024]));
        S3CodePackageStore packages = new S3CodePackageStore(s3, "s3://" + bucket + "/mf", 1024);

        assertThatThrownBy(() -> packages.fetch("s3://" + bucket + "/mf/BigFlow/data/aa/big"))
                .isInstanceOfSatisfying(DeployError.PackageTooLarge.class, e -> {
                    assertThat(e.location()).isEqualTo("s3://" + bucket + "/mf/BigFlow/data/aa/big");
                    assertThat(e.cap()).isEqualTo(1024);
                    assertThat(e.outcome()).isEqualTo(Outcome.NO_CODE_PACKAGE);
                })
                .hasMessage("code package at s3://" + bucket + "/mf/BigFlow/data/aa/big is larger than the cap of 1024 bytes"
                        + " (Content-Length 1025); refused without reading it further");
        assertThat(packages.fetch("s3://" + bucket + "/mf/BigFlow/data/aa/fits")).hasSize(1024);
        // the production wiring's store takes the gate's archive cap
        assertThat(new S3CodePackageStore(s3, "s3://" + bucket + "/mf").fetch("s3://" + bucket + "/mf/BigFlow/data/aa/big"))
                .hasSize(1025);
    }

    @Test
    void codePackageStore_publishesVerifiedPackagesOnlyUnderTheVerifiedPrefix_whereMetaflowsClientFindsThem() {
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        S3CodePackageStore packages = new S3CodePackageStore(s3, "s3://" + bucket + "/mf");
        String sha1 = "cd" + "1".repeat(38);
        String sha256 = "2".repeat(64);
        String location = packages.verifiedLocation("DemoFlow", sha1, sha256);
        assertThat(location).isEqualTo("s3://" + bucket + "/flowgate/verified/" + sha256 + "/DemoFlow/data/cd/" + sha1)
                // Metaflow's client derives the datastore root from this shape (<root>/<Flow>/data/<2>/<40 hex>)
                .matches("s3://.*/DemoFlow/data/([0-9a-f]{2})/\\1[0-9a-f]{38}");
        packages.publishVerified(location, new byte[]{7, 8});
        assertThat(packages.fetch(location)).containsExactly(7, 8);
        assertThat(s3.headObject(r -> r.bucket(bucket).key(location.substring(("s3://" + bucket + "/").length()))).metadata())
                .containsEntry("metaflow-user-attributes", "{\"cas_raw\": true, \"cas_version\": 1}");
        assertThatThrownBy(() -> packages.publishVerified("s3://" + bucket + "/mf/DemoFlow/data/cd/" + sha1, new byte[]{1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(packages.datastoreRoot()).isEqualTo("s3://" + bucket + "/mf");
    }

    @Test
    void codePackageStore_storesAnIncludedFileGzippedWhereMetaflowReadsIt() throws Exception {
        String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
        S3CodePackageStore packages = new S3CodePackageStore(s3, "s3://" + bucket + "/mf");
        byte[] content = "a,1\nb,2\nc,3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String location = packages.includedFileLocation("ConfigFlow", content);
        // the sha1 Metaflow 2.19.39 computed for these bytes in e2e/test_compiler_vs_metaflow.py's config flow
        // under the deployer-only prefix, not Metaflow's job-writable datatools root
        String key = "flowgate/verified/included/ConfigFlow/bdc7ca5e9660f7336dbf5f521eac69fff6700f12";
        assertThat(location).isEqualTo("s3://" + bucket + "/" + key);

        // content planted at the key first is not trusted: it is replaced by the commit's bytes
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(IncludedFile.stored("planted\n".getBytes())));
        packages.storeIncludedFile(location, content);
        packages.storeIncludedFile(location, content); // the right bytes already there: a no-op
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
        try (var gunzip = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(stored))) {
            assertThat(gunzip.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void stateMachineDeployer_createsThenUpdatesPublishingVersionsWithTags() {
        SfnStateMachineDeployer deployer = new SfnStateMachineDeployer(sfn, events, scheduler, ROLE, ROLE, names, 10);
        String name = "proj.prod.Flow" + System.nanoTime();
        String v1 = "{\"StartAt\":\"a\",\"States\":{\"a\":{\"Type\":\"Pass\",\"End\":true}}}";
        String v2 = "{\"StartAt\":\"b\",\"States\":{\"b\":{\"Type\":\"Pass\",\"End\":true}}}";

        DeployedMachine first = deployer.deploy(name, v1, Map.of("flowgate:git_sha", "a"), "first");
        DeployedMachine second = deployer.deploy(name, v2, Map.of("flowgate:git_sha", "b"), "second");

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.arn()).isEqualTo(first.arn());
        assertThat(deployer.currentDefinition(name)).contains(v2);
        assertThat(sfn.listTagsForResource(r -> r.resourceArn(first.arn())).tags())
                .contains(Tag.builder().key("flowgate:git_sha").value("b").build());
        assertThat(deployer.currentDefinition("proj.prod.NoSuchFlow")).isEmpty();

        assertThat(deployer.undeploy(name)).isTrue();
        assertThat(deployer.currentDefinition(name)).isEmpty();
        assertThat(deployer.undeploy(name)).isFalse();
        assertThat(deployer.deploy(name, v1, Map.of(), "re-create").created()).isTrue();
    }
}

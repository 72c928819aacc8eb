package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeployRequest;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.DeploymentIds;
import dev.flowgate.deployer.domain.DeploymentPipeline;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.domain.RepositoryPolicy;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.fakes.Fakes;
import dev.flowgate.deployer.fakes.TestPackages;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Records and leases on DynamoDB (moto, real wire protocol): history rows are written once, a deployment id is
 * claimed once even under a race, and a request carrying a running deployment's id never shares its lease.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GateRecordsOnEmulatorIT {
    static final String REPO = "acme/ml-flows";
    static final String SHA = "c".repeat(40);
    static final String SOURCE = "from metaflow import FlowSpec, step, project\n@project(name=\"proj\")\n"
            + "class DemoFlow(FlowSpec):\n    pass\n";
    private DynamoDbClient dynamo;
    private DynamoDbDeploymentStore store;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        FlowgateResources names = new FlowgateResources(AwsEmulator.uniqueName("rec"));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.createTable(FlowgateResources.CONTROL);
        }
        dynamo = emulator.settings().configure(DynamoDbClient.builder());
        store = new DynamoDbDeploymentStore(dynamo, names.tableName(FlowgateResources.CONTROL));
    }

    @AfterAll
    void close() {
        dynamo.close();
    }

    @Test
    void historyRow_isWrittenOnce_aSecondWriteIsRefusedAndChangesNothing() {
        String flow = "OnceFlow" + System.nanoTime();
        String id = new DeploymentIds().next(Instant.now());
        store.record(record(id, flow, "a".repeat(40), "deployed from a"));
        DeploymentRecord original = store.find(flow, id).orElseThrow();

        assertThatThrownBy(() -> store.record(record(id, flow, "b".repeat(40), "forged")))
                .isInstanceOf(DeployError.Unavailable.class).hasMessageContaining("never overwritten");

        assertThat(store.find(flow, id)).contains(original);
        assertThat(store.history(flow, 10)).hasSize(1);
        // the transaction was cancelled as a whole: no success marker for the forged commit
        assertThat(store.deployed(REPO, "main", "b".repeat(40), flow)).isEmpty();
        assertThat(store.find(flow, new DeploymentIds().next(Instant.now()))).isEmpty();
    }

    @Test
    void deploymentIdClaim_isWonByExactlyOneOfManyRacingRequests() throws Exception {
        String key = "deployment#" + new DeploymentIds().next(Instant.now());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Optional<String>>> claims = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String me = "caller-" + i;
                claims.add(() -> store.claim(key, me, Instant.now().plusSeconds(600)));
            }
            List<Optional<String>> answers = new ArrayList<>();
            for (Future<Optional<String>> answer : pool.invokeAll(claims)) {
                answers.add(answer.get());
            }
            assertThat(answers.stream().filter(Optional::isEmpty)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestCarryingARunningDeploymentsId_neverEntersItsLease_andCannotReuseTheId() {
        Fakes.FakeGitHost git = new Fakes.FakeGitHost();
        Fakes.FakeStateMachineDeployer machines = new Fakes.FakeStateMachineDeployer();
        Fakes.FakeRunRegistry runs = new Fakes.FakeRunRegistry();
        Fakes.FakeCodePackageStore packages = new Fakes.FakeCodePackageStore();
        String flow = "DemoFlow";
        git.commit(SHA, Map.of("flowgate.yaml", "project: lease" + System.nanoTime() + "\nflows:\n  - name: DemoFlow\n"
                + "    file: flows/demoflow.py\n", "flows/demoflow.py", SOURCE));
        byte[] archive = TestPackages.v1(Map.of("demoflow.py", SOURCE));
        String sha = CodePackageReader.sha1(archive);
        String location = "s3://bucket/mf/DemoFlow/data/" + sha.substring(0, 2) + "/" + sha;
        packages.objects.put(location, archive);
        runs.newest.put(flow, new TaggedRun(flow, "sfn-1", 1, List.of("prod_ready"), true,
                Optional.of(new TaggedRun.CodePackageRef("s3", location, sha, 1))));
        DeploymentPipeline pipeline = new DeploymentPipeline(git, runs, packages, new Fakes.FakeFlowCompiler(),
                new Fakes.RecordingJobDefinitions(), machines, store, store, new Fakes.RecordingAlertNotifier(),
                RepositoryPolicy.parse(REPO), Map.of(), Optional.empty(), new DeploymentIds(), Clock.systemUTC());
        String project = new String(git.file(REPO, SHA, "flowgate.yaml").orElseThrow()).lines().findFirst().orElseThrow()
                .substring("project: ".length());

        // a deployment is running: it holds the lease under its id
        String running = new DeploymentIds().next(Instant.now());
        assertThat(store.claim("lease#" + project + ".prod.DemoFlow", running, Instant.now().plusSeconds(600))).isEmpty();
        DeployResult hijack = pipeline.deploy(new DeployRequest("attacker", DeployRequest.Source.JENKINS, REPO, SHA,
                "refs/heads/main", List.of(), false, Optional.of(running)));
        assertThat(hijack.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(hijack.message()).contains(running);
        assertThat(machines.versions).isEmpty();
        assertThat(store.history(flow, 50)).noneMatch(r -> r.deploymentId().equals(running));

        // its id is now claimed: a second request with it is refused before anything happens
        assertThatThrownBy(() -> pipeline.deploy(new DeployRequest("attacker-2", DeployRequest.Source.JENKINS, REPO, SHA,
                "refs/heads/main", List.of(), false, Optional.of(running))))
                .isInstanceOfSatisfying(DeployRequestJson.InvalidRequest.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("deployment_id"));

        // the holder finishes; a fresh deployment then deploys and its id cannot be replayed either
        store.release("lease#" + project + ".prod.DemoFlow");
        DeployResult fresh = pipeline.deploy(new DeployRequest("ci", DeployRequest.Source.JENKINS, REPO, SHA,
                "refs/heads/main", List.of(), false, Optional.empty()));
        assertThat(fresh.outcome()).as(fresh.message()).isEqualTo(Outcome.DEPLOYED);
        DeploymentRecord recorded = store.find(flow, fresh.deploymentId()).orElseThrow();
        assertThatThrownBy(() -> pipeline.deploy(new DeployRequest("replay", DeployRequest.Source.JENKINS, REPO, SHA,
                "refs/heads/main", List.of(), false, Optional.of(fresh.deploymentId()))))
                .isInstanceOf(DeployRequestJson.InvalidRequest.class);
        assertThat(store.find(flow, fresh.deploymentId())).contains(recorded);
    }

    private static DeploymentRecord record(String id, String flow, String sha, String message) {
        return DeploymentRecord.builder().deploymentId(id).flow(flow).kind("deploy")
                .repository(REPO).commitSha(sha).branch("main")
                .outcome(Outcome.DEPLOYED).message(message)
                .runPathspec(flow + "/1").stateMachine("proj.prod." + flow).versionArn("v1")
                .definition("{\"v\":\"" + sha + "\"}")
                .at(Instant.now())
                .stageMillis(Map.of("deploy", 12L))
                .build();
    }
}

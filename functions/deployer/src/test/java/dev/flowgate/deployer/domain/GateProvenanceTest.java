package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.DeployRequest.Source;
import dev.flowgate.deployer.domain.TaggedRun.CodePackageRef;
import dev.flowgate.deployer.fakes.Fakes;
import dev.flowgate.deployer.fakes.Fakes.FakeGitHost;
import dev.flowgate.deployer.fakes.Fakes.FakeStateMachineDeployer;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import dev.flowgate.deployer.fakes.TestPackages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.flowgate.deployer.domain.DeploymentPipelineTest.FLOW_SOURCE;
import static dev.flowgate.deployer.domain.DeploymentPipelineTest.REPO;
import static dev.flowgate.deployer.domain.DeploymentPipelineTest.SHA;
import static dev.flowgate.deployer.domain.DeploymentPipelineTest.packagedFiles;
import static dev.flowgate.deployer.domain.DeploymentPipelineTest.repoFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The production gate's branch policy, commit provenance and records, on in-memory fakes of every port: each
 * refusal names why, and nothing deployed or recorded changes.
 */
class GateProvenanceTest {
    static final String FEATURE = "f".repeat(40);
    static final String PLAIN_SOURCE = FLOW_SOURCE.replace("@project(name=\"proj\")\n", "");

    final FakeGitHost git = new FakeGitHost();
    final Fakes.FakeRunRegistry runs = new Fakes.FakeRunRegistry();
    final Fakes.FakeCodePackageStore packages = new Fakes.FakeCodePackageStore();
    final Fakes.FakeFlowCompiler compiler = new Fakes.FakeFlowCompiler();
    final FakeStateMachineDeployer machines = new FakeStateMachineDeployer();
    final InMemoryDeploymentStore store = new InMemoryDeploymentStore();
    final Fakes.RecordingAlertNotifier alerts = new Fakes.RecordingAlertNotifier();

    DeploymentPipeline pipeline(String repositories) {
        return new DeploymentPipeline(git, runs, packages, compiler, new Fakes.RecordingJobDefinitions(), machines, store, store,
                alerts, RepositoryPolicy.parse(repositories), Map.of(), Optional.empty(), new DeploymentIds(), Clock.systemUTC());
    }

    final DeploymentPipeline pipeline = pipeline(REPO + ":main:experimental=feature/*");

    void commit(String sha, String source) {
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", source);
        git.commit(sha, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", source);
        byte[] archive = TestPackages.v1(packaged);
        String packageSha = CodePackageReader.sha1(archive);
        String location = "s3://bucket/mf/DemoFlow/data/" + packageSha.substring(0, 2) + "/" + packageSha;
        packages.objects.put(location, archive);
        runs.newest.put("DemoFlow", new TaggedRun("DemoFlow", "sfn-" + sha.substring(0, 4), 1, List.of("prod_ready"), true,
                Optional.of(new CodePackageRef("s3", location, packageSha, 1))));
    }

    static DeployRequest request(String sha, String branch) {
        return request(sha, branch, Optional.empty());
    }

    static DeployRequest request(String sha, String branch, Optional<String> deploymentId) {
        return new DeployRequest("jenkins:job#1", Source.JENKINS, REPO, sha, "refs/heads/" + branch, List.of(), false, deploymentId);
    }

    @BeforeEach
    void mainAtSha() {
        commit(SHA, FLOW_SOURCE);
        git.heads.put("main", SHA);
    }

    // --- branch policy

    @Test
    void experimentalBranchOfAFlowWithoutProject_isRefusedNamingTheFix_andProductionStaysAsItWas() {
        commit(SHA, PLAIN_SOURCE);
        assertThat(pipeline.deploy(request(SHA, "main")).outcome()).isEqualTo(Outcome.DEPLOYED);
        List<String> production = List.copyOf(machines.versions.get("proj.prod.DemoFlow"));
        commit(FEATURE, PLAIN_SOURCE);
        git.heads.put("feature/x", FEATURE);

        DeployResult result = pipeline.deploy(request(FEATURE, "feature/x"));

        assertThat(result.outcome()).isEqualTo(Outcome.PROJECT_REQUIRED);
        assertThat(result.message()).contains("DemoFlow").contains("has no @project").contains("add @project");
        assertThat(machines.versions).containsOnlyKeys("proj.prod.DemoFlow");
        assertThat(machines.versions.get("proj.prod.DemoFlow")).isEqualTo(production);
        assertThat(git.statuses).anyMatch(s -> s.state().equals("failure") && s.description().contains("@project"));
    }

    @Test
    void experimentalBranchOfAProjectFlow_deploysToItsOwnStateMachine() {
        commit(FEATURE, FLOW_SOURCE);
        git.heads.put("feature/x", FEATURE);
        DeployResult result = pipeline.deploy(request(FEATURE, "feature/x"));
        assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.DEPLOYED);
        assertThat(result.flows().get(0).stateMachine()).isEqualTo("proj." + ProjectBranch.experimental("feature/x") + ".DemoFlow");
        assertThat(machines.versions).doesNotContainKey("proj.prod.DemoFlow");
    }

    @Test
    void branchNotOptedIn_isNotConfigured_byDefault() {
        commit(FEATURE, FLOW_SOURCE);
        git.heads.put("exp-1", FEATURE);
        DeployResult result = pipeline(REPO).deploy(request(FEATURE, "exp-1"));
        assertThat(result.outcome()).isEqualTo(Outcome.NOT_CONFIGURED);
        assertThat(result.message()).contains("no experimental branches are allowed").contains("experimental=");
        assertThat(machines.versions).isEmpty();
    }

    // --- provenance

    @Test
    void commitOnlyOnAnotherBranch_sentAsMain_isRefused() {
        commit(FEATURE, FLOW_SOURCE);
        git.commit(SHA, repoFiles());
        git.heads.put("main", SHA);
        git.diverged.add(FEATURE + "..." + SHA);

        DeployResult result = pipeline.deploy(request(FEATURE, "main"));

        assertThat(result.outcome()).isEqualTo(Outcome.COMMIT_NOT_ON_REF);
        assertThat(result.message()).contains("is not on refs/heads/main").contains("another line of history");
        assertThat(machines.versions).isEmpty();
        assertThat(store.records).isEmpty();
        assertThat(alerts.alerts).hasSize(1);
    }

    @Test
    void commitNewerThanTheBranch_isRefused() {
        commit(FEATURE, FLOW_SOURCE);
        git.heads.put("main", SHA);
        git.behind.add(FEATURE + "..." + SHA);
        assertThat(pipeline.deploy(request(FEATURE, "main")).outcome()).isEqualTo(Outcome.COMMIT_NOT_ON_REF);
        assertThat(machines.versions).isEmpty();
    }

    @Test
    void ancestorOfTheBranchHead_deploys() {
        commit(FEATURE, FLOW_SOURCE);
        git.heads.put("main", FEATURE); // main moved on past SHA: SHA is its ancestor (compare SHA...FEATURE is ahead)
        assertThat(pipeline.deploy(request(SHA, "main")).outcome()).isEqualTo(Outcome.DEPLOYED);
    }

    @Test
    void branchThatDoesNotExist_isRefused() {
        git.heads.put("release", null);
        DeployResult result = pipeline(REPO + ":release").deploy(request(SHA, "release"));
        assertThat(result.outcome()).isEqualTo(Outcome.COMMIT_NOT_ON_REF);
        assertThat(result.message()).contains("has no branch release");
        assertThat(machines.versions).isEmpty();
    }

    @Test
    void hostThatCannotTell_refusesNeverProceeds() {
        git.unreachable = true;
        DeployResult result = pipeline.deploy(request(SHA, "main"));
        assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(result.message()).contains("could not check").contains("not deploying");
        assertThat(machines.versions).isEmpty();
        assertThat(git.statuses).anyMatch(s -> s.context().equals("flowgate/provenance") && s.state().equals("error"));
    }

    @Test
    void olderCommitAfterANewerOne_isSkipped_andACompareFailureRefuses() {
        String older = "b".repeat(40);
        commit(older, FLOW_SOURCE);
        commit(SHA, FLOW_SOURCE);
        git.heads.put("main", SHA);
        git.behind.add(SHA + "..." + older);
        assertThat(pipeline.deploy(request(SHA, "main")).outcome()).isEqualTo(Outcome.DEPLOYED);

        DeployResult late = pipeline.deploy(request(older, "main"));
        assertThat(late.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(late.message()).contains("is older than " + SHA.substring(0, 12));

        // commit relations never change, so answers are remembered per container: a fresh one meets the failure
        git.failing.add(SHA + "..." + older);
        DeployResult unknown = pipeline(REPO + ":main").deploy(request(older, "main"));
        assertThat(unknown.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(unknown.message()).contains("could not check whether").contains("older");
        assertThat(machines.versions.get("proj.prod.DemoFlow")).hasSize(1);
    }

    // --- records and leases

    @Test
    void callerSuppliedIdOfARecordedDeployment_isRefused_andTheRecordStaysAsItWas() {
        DeployResult first = pipeline.deploy(request(SHA, "main"));
        assertThat(first.outcome()).isEqualTo(Outcome.DEPLOYED);
        DeploymentRecord before = store.find("DemoFlow", first.deploymentId()).orElseThrow();

        assertThatThrownBy(() -> pipeline.deploy(request(SHA, "main", Optional.of(first.deploymentId()))))
                .isInstanceOfSatisfying(DeployRequestJson.InvalidRequest.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("deployment_id"))
                .hasMessageContaining("used once");
        assertThat(store.find("DemoFlow", first.deploymentId())).contains(before);
        assertThat(store.records).hasSize(1);
    }

    @Test
    void recordOfARollbackId_isNotReusedEvenWhenTheIdWasNeverClaimed() {
        String id = new DeploymentIds().next(Instant.now());
        store.record(DeploymentRecord.builder().deploymentId(id).flow("DemoFlow").kind("rollback")
                .repository(REPO).commitSha(SHA).branch("main")
                .outcome(Outcome.DEPLOYED).message("rolled back")
                .stateMachine("proj.prod.DemoFlow").versionArn("v1").definition("{}")
                .at(Instant.now())
                .build());
        assertThatThrownBy(() -> pipeline.deploy(request(SHA, "main", Optional.of(id))))
                .isInstanceOf(DeployRequestJson.InvalidRequest.class).hasMessageContaining("already has a record of DemoFlow");
        assertThat(machines.versions).isEmpty();
    }

    @Test
    void requestCarryingTheLeaseHoldersId_doesNotEnterTheLease() {
        String running = new DeploymentIds().next(Instant.now());
        store.claim("lease#proj.prod.DemoFlow", running, Instant.now().plusSeconds(600));

        DeployResult result = pipeline.deploy(request(SHA, "main", Optional.of(running)));

        assertThat(result.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(result.message()).contains(running);
        assertThat(machines.versions).isEmpty();
        assertThat(store.claimed("lease#proj.prod.DemoFlow")).isTrue();
    }

    @Test
    void idOfARunningDeployment_isRefusedBeforeAnythingHappens() {
        String running = new DeploymentIds().next(Instant.now());
        new DeploymentIdClaims(store, new DeploymentIds(), Clock.systemUTC()).claim(Optional.of(running));
        assertThatThrownBy(() -> pipeline.deploy(request(SHA, "main", Optional.of(running))))
                .isInstanceOf(DeployRequestJson.InvalidRequest.class).hasMessageContaining("running or done");
        assertThat(machines.versions).isEmpty();
        assertThat(git.statuses).isEmpty();
    }

    @Test
    void suppliedIdOutOfItsTimeWindowOrMalformed_isRefusedNamingTheField() {
        DeploymentIdClaims claims = new DeploymentIdClaims(store, new DeploymentIds(), Clock.systemUTC());
        String old = new DeploymentIds().next(Instant.now().minus(Duration.ofHours(3)));
        String future = new DeploymentIds().next(Instant.now().plus(Duration.ofDays(300)));
        for (String id : List.of(old, future, "d-20261399T999999999Z-abcdef", "d-1", "x")) {
            assertThatThrownBy(() -> claims.claim(Optional.of(id))).as(id)
                    .isInstanceOfSatisfying(DeployRequestJson.InvalidRequest.class,
                            e -> assertThat(e.errors().get(0).field()).isEqualTo("deployment_id"));
        }
        String fresh = new DeploymentIds().next(Instant.now());
        assertThat(claims.claim(Optional.of(fresh))).isEqualTo(fresh);
        assertThat(claims.claim(Optional.empty())).startsWith("d-").isNotEqualTo(fresh);
    }

    @Test
    void historyRows_areNeverOverwritten() {
        DeployResult first = pipeline.deploy(request(SHA, "main"));
        DeploymentRecord record = store.find("DemoFlow", first.deploymentId()).orElseThrow();
        DeploymentRecord forged = DeploymentRecord.builder().deploymentId(record.deploymentId()).flow("DemoFlow")
                .kind("deploy")
                .repository(REPO).commitSha(FEATURE).branch("main")
                .outcome(Outcome.DEPLOYED).message("forged")
                .stateMachine("proj.prod.DemoFlow").definition("{}")
                .at(Instant.now())
                .build();
        assertThatThrownBy(() -> store.record(forged)).isInstanceOf(DeployError.Unavailable.class)
                .hasMessageContaining("never overwritten");
        assertThat(store.find("DemoFlow", first.deploymentId())).contains(record);
    }
}

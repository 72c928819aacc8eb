package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.DeployRequest.Source;
import dev.flowgate.deployer.domain.TaggedRun.CodePackageRef;
import dev.flowgate.deployer.fakes.Fakes.FakeCodePackageStore;
import dev.flowgate.deployer.fakes.Fakes.FakeFlowCompiler;
import dev.flowgate.deployer.fakes.Fakes.FakeGitHost;
import dev.flowgate.deployer.fakes.Fakes.FakeRunRegistry;
import dev.flowgate.deployer.fakes.Fakes.FakeStateMachineDeployer;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.fakes.Fakes.RecordingAlertNotifier;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import dev.flowgate.deployer.fakes.TestPackages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentPipelineTest {
    static final String REPO = "acme/ml-flows";
    static final String SHA = "c".repeat(40);
    static final String FLOW_SOURCE = "from metaflow import FlowSpec, step, schedule, project\n@project(name=\"proj\")\n@schedule(cron='0 3 * * ? *')\n"
            + "class DemoFlow(FlowSpec):\n    pass\n";
    static final String MANIFEST = "project: proj\npackage_suffixes: [\".py\", \".txt\"]\n"
            + "alerts:\n  slack_channel: \"#ml\"\nflows:\n  - name: DemoFlow\n    file: flows/demoflow.py\n";

    final FakeGitHost git = new FakeGitHost();
    final FakeRunRegistry runs = new FakeRunRegistry();
    final FakeCodePackageStore packages = new FakeCodePackageStore();
    final FakeFlowCompiler compiler = new FakeFlowCompiler();
    final dev.flowgate.deployer.fakes.Fakes.RecordingJobDefinitions jobDefinitions = new dev.flowgate.deployer.fakes.Fakes.RecordingJobDefinitions();
    final FakeStateMachineDeployer machines = new FakeStateMachineDeployer();
    final InMemoryDeploymentStore store = new InMemoryDeploymentStore();
    final RecordingAlertNotifier alerts = new RecordingAlertNotifier();
    final DeploymentPipeline pipeline = new DeploymentPipeline(git, runs, packages, compiler, jobDefinitions, machines, store, store, alerts,
            RepositoryPolicy.parse(REPO + ":main:experimental=*"), Map.of("METAFLOW_BATCH_JOB_QUEUE", "q"), Optional.empty(), new DeploymentIds(),
            Clock.systemUTC());
    String location;
    String packageSha;

    static Map<String, String> repoFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("flowgate.yaml", MANIFEST);
        files.put("README.md", "# not packaged, outside the flow dir\n");
        files.put("flows/demoflow.py", FLOW_SOURCE);
        files.put("flows/helpers/util.py", "def f(): return 1\n");
        files.put("flows/data/labels.TXT", "a,b\n");
        files.put("flows/notes.md", "not a packaged suffix\n");
        files.put("flows/.hidden/secret.py", "skipped: hidden dir\n");
        files.put("flows/__pycache__/x.py", "skipped\n");
        return files;
    }

    static Map<String, String> packagedFiles() {
        return Map.of("demoflow.py", FLOW_SOURCE, "helpers/util.py", "def f(): return 1\n", "data/labels.TXT", "a,b\n");
    }

    void tagRun(Map<String, String> userFiles, boolean successful) {
        byte[] archive = TestPackages.v1(userFiles);
        packageSha = CodePackageReader.sha1(archive);
        location = "s3://bucket/mf/DemoFlow/data/" + packageSha.substring(0, 2) + "/" + packageSha;
        packages.objects.put(location, archive);
        runs.newest.put("DemoFlow", new TaggedRun("DemoFlow", "sfn-abc", 1, List.of("prod_ready"), successful,
                Optional.of(new CodePackageRef("s3", location, packageSha, 1))));
    }

    static DeployRequest request(String branch, boolean dryRun) {
        return new DeployRequest("jenkins:job#1", Source.JENKINS, REPO, SHA, "refs/heads/" + branch, List.of(), dryRun,
                Optional.empty());
    }

    @BeforeEach
    void commit() {
        git.commit(SHA, repoFiles());
    }

    @Test
    void deploy_passesTheFlowsStepFunctionsOptionsFromTheManifestToTheCompiler() {
        Map<String, String> files = repoFiles();
        files.put("flowgate.yaml", MANIFEST + "    use_distributed_map: true\n    max_workers: 500\n    workflow_timeout: 7200\n");
        git.commit(SHA, files);
        tagRun(packagedFiles(), true);

        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(compiler.requests.get(0).options()).isEqualTo(new ProjectManifest.StepFunctionsOptions(true, 500, 7200));
    }

    private void commitWithIncludeFile(String defaultPath) {
        String source = FLOW_SOURCE.replace("    pass\n", "    labels = IncludeFile(\"labels\", default=\"" + defaultPath + "\")\n");
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", source);
        git.commit(SHA, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", source);
        tagRun(packaged, true);
    }

    @Test
    void deploy_storesTheIncludeFileDefaultFromGit_andGivesItsLocationToTheCompiler() {
        commitWithIncludeFile("data/labels.TXT");

        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        FlowCompiler.StoredFile stored = compiler.requests.get(0).includedFiles().get("labels");
        assertThat(stored).as("the file next to the flow, as Metaflow reads the default").isNotNull();
        assertThat(stored.size()).isEqualTo("a,b\n".length());
        assertThat(packages.objects.get(stored.location())).isEqualTo("a,b\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void dryRun_computesWhereTheIncludeFileGoes_butStoresNothing() {
        commitWithIncludeFile("data/labels.TXT");
        int before = packages.objects.size();

        assertThat(pipeline.deploy(request("main", true)).outcome()).isEqualTo(Outcome.PLANNED);
        assertThat(compiler.requests.get(0).includedFiles()).containsKey("labels");
        assertThat(packages.objects).hasSize(before);
    }

    @Test
    void deploy_whenTheIncludeFileDefaultIsNotInGit_failsNamingThePath() {
        commitWithIncludeFile("data/missing.csv");

        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.COMPILE_FAILED);
        assertThat(result.message()).contains("IncludeFile 'labels'", "flows/data/missing.csv", "commit it");
        assertThat(machines.versions).isEmpty();
    }

    @Test
    void deploy_whenTaggedRunMatchesGit_deploysTheVerifiedPackageTagsRecordsAndReports() {
        tagRun(packagedFiles(), true);

        DeployResult result = pipeline.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.DEPLOYED);
        DeployResult.FlowResult flow = result.flows().get(0);
        assertThat(flow.stateMachine()).isEqualTo("proj.prod.DemoFlow");
        assertThat(flow.comparison().orElseThrow().files()).isEqualTo(3);
        // the compile names the bytes the gate verified, as the deployer published them, with their SHA-256
        String sha256 = VerifiedPackagePublisher.hex("SHA-256", packages.objects.get(location));
        String published = "s3://bucket/flowgate/verified/" + sha256 + "/DemoFlow/data/" + packageSha.substring(0, 2) + "/" + packageSha;
        assertThat(compiler.requests.get(0).codePackageUrl()).isEqualTo(published);
        assertThat(compiler.requests.get(0).codePackageSha256()).isEqualTo(sha256);
        assertThat(packages.objects.get(published)).isEqualTo(packages.objects.get(location));
        assertThat(compiler.requests.get(0).codePackageSha()).isEqualTo(packageSha);
        assertThat(compiler.requests.get(0).production()).isTrue();
        assertThat(compiler.requests.get(0).options()).isEqualTo(ProjectManifest.StepFunctionsOptions.DEFAULT);
        assertThat(machines.tags.get("proj.prod.DemoFlow")).containsEntry("flowgate:git_sha", SHA)
                .containsEntry("flowgate:run", "DemoFlow/sfn-abc").containsEntry("flowgate:branch", "prod");
        assertThat(machines.schedules).containsEntry("proj.prod.DemoFlow", FlowCompiler.Schedule.utc("cron(0 3 * * ? *)"));
        assertThat(machines.finishTriggers).doesNotContainKey("proj.prod.DemoFlow");
        assertThat(runs.addedTags.get("DemoFlow/sfn-abc")).contains("git_hash:" + SHA);
        assertThat(store.history("DemoFlow", 10)).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.DEPLOYED));
        assertThat(git.statuses).extracting(CommitStatus::state).containsExactly("pending", "success");
        assertThat(git.statuses).extracting(CommitStatus::context).containsOnly("flowgate/DemoFlow");
        assertThat(alerts.alerts).isEmpty();
        assertThat(jobDefinitions.registered).containsExactly("flowgate_test_DemoFlow");
        assertThat(flow.stageMillis()).containsKeys("find_run", "verify_code", "compile", "deploy", "tag_run", "record");
    }

    @Test
    void deploy_namesWhoTaggedTheRunProdReady_inTheRecordTheResultAndTheCommitStatus() {
        tagRun(packagedFiles(), true);
        TaggedRun tagged = runs.newest.get("DemoFlow");
        GateTagging gate = new GateTagging("key-sha256:4e738ca5563c06cf", "api-key", "", Instant.parse("2026-12-05T21:00:00Z"),
                "tag_mutation");
        runs.newest.put("DemoFlow", new TaggedRun(tagged.flow(), tagged.runId(), tagged.tsEpoch(), tagged.tags(), true,
                tagged.codePackage(), Optional.of(gate)));

        DeployResult result = pipeline.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(result.flows().get(0).gateTagging()).contains(gate);
        assertThat(store.history("DemoFlow", 1).get(0).gate()).contains(gate);
        CommitStatus success = git.statuses.get(git.statuses.size() - 1);
        assertThat(success.state()).isEqualTo("success");
        assertThat(success.description()).endsWith("; prod_ready by key-sha256:4e738ca5563c06cf at 2026-12-05T21:00:00Z")
                .startsWith("deployed proj.prod.DemoFlow");
        assertThat(success.description().length()).isLessThanOrEqualTo(140);
    }

    @Test
    void deploy_whenFilesDiffer_refusesNamingEachFileAndAlerts() {
        Map<String, String> drifted = new LinkedHashMap<>(packagedFiles());
        drifted.put("helpers/util.py", "def f(): return 2\n");
        drifted.put("generated.py", "# untracked\n");
        drifted.remove("data/labels.TXT");
        tagRun(drifted, true);

        DeployResult result = pipeline.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.MISMATCH);
        CodeComparison comparison = result.flows().get(0).comparison().orElseThrow();
        assertThat(comparison.mismatched()).containsExactly("helpers/util.py");
        assertThat(comparison.onlyInPackage()).containsExactly("generated.py");
        assertThat(comparison.onlyInGit()).containsExactly("data/labels.TXT");
        assertThat(result.message()).contains("helpers/util.py");
        assertThat(machines.versions).isEmpty();
        assertThat(runs.addedTags).isEmpty();
        assertThat(alerts.alerts).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.MISMATCH);
            assertThat(a.channel()).contains("#ml");
            assertThat(a.project()).as("the alert names the @project").contains("proj");
        });
        assertThat(git.statuses.get(git.statuses.size() - 1).state()).isEqualTo("failure");
        assertThat(git.statuses).allSatisfy(s -> assertThat(s.description().length()).isLessThanOrEqualTo(140));
        assertThat(store.history("DemoFlow", 1).get(0).differing())
                .containsExactlyInAnyOrder("helpers/util.py", "generated.py", "data/labels.TXT");
    }

    @Test
    void deploy_whenNoRunIsTagged_refusesWithTheHint() {
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.NO_TAGGED_RUN);
        assertThat(result.message()).contains("tag a successful run with prod_ready");
        assertThat(alerts.alerts).hasSize(1);
    }

    @Test
    void deploy_whenTaggedRunFailed_refuses() {
        tagRun(packagedFiles(), false);
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.NO_TAGGED_RUN);
        assertThat(result.message()).contains("did not finish successfully");
    }

    @Test
    void deploy_whenRunHasNoCodePackage_refuses() {
        runs.newest.put("DemoFlow", new TaggedRun("DemoFlow", "12", 1, List.of("prod_ready"), true, Optional.empty()));
        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.NO_CODE_PACKAGE);
    }

    @Test
    void deploy_whenPackageBytesDoNotMatchTheirSha_refuses() {
        tagRun(packagedFiles(), true);
        packages.objects.put(location, TestPackages.v1(Map.of("demoflow.py", "tampered")));
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.NO_CODE_PACKAGE);
        assertThat(result.message()).contains("SHA-1");
    }

    @Test
    void deploy_sameCommitTwice_secondIsANoOp() {
        tagRun(packagedFiles(), true);
        pipeline.deploy(request("main", false));
        DeployResult again = pipeline.deploy(request("main", false));
        assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_DEPLOYED);
        assertThat(machines.versions.get("proj.prod.DemoFlow")).hasSize(1);
    }

    @Test
    void deploy_dryRun_plansWithoutAnySideEffect() {
        tagRun(packagedFiles(), true);
        DeployResult result = pipeline.deploy(request("main", true));
        assertThat(result.outcome()).isEqualTo(Outcome.PLANNED);
        assertThat(result.flows().get(0).plan()).contains("create");
        assertThat(result.message()).contains("would create proj.prod.DemoFlow");
        assertThat(machines.versions).isEmpty();
        assertThat(runs.addedTags).isEmpty();
        assertThat(store.records).isEmpty();
        assertThat(git.statuses).isEmpty();
    }

    @Test
    void deploy_whenManifestIsMissing_saysWhatToWrite() {
        Map<String, String> files = repoFiles();
        files.remove("flowgate.yaml");
        git.commit(SHA, files);
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.INVALID_MANIFEST);
        assertThat(result.message()).contains("flowgate.yaml is missing").contains("project: my_project");
    }

    @Test
    void deploy_experimentalBranch_deploysUnderTheBranchProjectName() {
        tagRun(packagedFiles(), true);
        DeployResult result = pipeline.deploy(request("feature/New-Model", false));
        assertThat(result.outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(result.flows().get(0).stateMachine()).isEqualTo("proj." + ProjectBranch.experimental("feature/New-Model") + ".DemoFlow")
                .startsWith("proj.test.feature_new_model__");
        assertThat(compiler.requests.get(0).production()).isFalse();
    }

    @Test
    void deploy_unknownRequestedFlow_isAnInvalidManifestNamingIt() {
        DeployRequest request = new DeployRequest("r", Source.JENKINS, REPO, SHA, "refs/heads/main",
                List.of("OtherFlow"), false, Optional.empty());
        DeployResult result = pipeline.deploy(request);
        assertThat(result.outcome()).isEqualTo(Outcome.INVALID_MANIFEST);
        assertThat(result.message()).contains("OtherFlow");
    }

    @Test
    void deploy_whenFlowDirHoldsASymlink_theLinkedFileIsAMismatch() {
        Map<String, String> files = repoFiles();
        files.put("flows/shared.py", "../lib/shared.py");
        git.commit(SHA, files);
        git.modes.put(SHA, Map.of("flows/shared.py", "120000"));
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("shared.py", "def shared(): pass\n");
        tagRun(packaged, true);
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.MISMATCH);
        assertThat(result.flows().get(0).comparison().orElseThrow().mismatched()).containsExactly("shared.py");
    }

    @Test
    void deploy_compileFailure_isTypedAndAlerted() {
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", "syntax error");
        git.commit(SHA, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", "syntax error");
        tagRun(packaged, true);
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.COMPILE_FAILED);
        assertThat(alerts.alerts).hasSize(1);
    }

    @Test
    void deploy_whileAnotherDeploymentOfTheFlowHoldsTheLease_isBusyAndTouchesNothing() {
        tagRun(packagedFiles(), true);
        store.claim("lease#proj.prod.DemoFlow", "d-other", java.time.Instant.now().plusSeconds(600));
        DeployResult result = pipeline.deploy(request("main", false));
        assertThat(result.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(result.message()).contains("d-other");
        assertThat(machines.versions).isEmpty();
        store.release("lease#proj.prod.DemoFlow");
        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(store.claimed("lease#proj.prod.DemoFlow")).isFalse();
    }

    @Test
    void deploy_experimentalWithRuntimeLayer_buildsADeterministicPackageFromGitWithoutATaggedRun() {
        String layerLocation = "s3://bucket/flowgate/runtime/metaflow-" + TestPackages.TEST_METAFLOW_VERSION + ".tar.gz";
        packages.objects.put(layerLocation, TestPackages.tgz(TestPackages.layer()));
        DeploymentPipeline experimental = new DeploymentPipeline(git, runs, packages, compiler, jobDefinitions, machines, store, store,
                alerts, RepositoryPolicy.parse(REPO + ":main:experimental=*"), Map.of(), Optional.of(layerLocation), new DeploymentIds(),
                Clock.systemUTC());

        DeployResult result = experimental.deploy(request("feature/x", false));

        assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.DEPLOYED);
        assertThat(result.flows().get(0).stateMachine()).isEqualTo("proj." + ProjectBranch.experimental("feature/x") + ".DemoFlow");
        String location = compiler.requests.get(0).codePackageUrl();
        byte[] archive = packages.objects.get(location);
        assertThat(CodePackageReader.sha1(archive)).isEqualTo(compiler.requests.get(0).codePackageSha());
        assertThat(CodePackageReader.userFiles("DemoFlow", archive))
                .containsOnlyKeys("demoflow.py", "helpers/util.py", "data/labels.TXT");
        assertThat(runs.addedTags).isEmpty();
        // same commit, same layer: same bytes, same content address
        experimental.deploy(new DeployRequest("again", Source.JENKINS, REPO, SHA, "refs/heads/feature/x", List.of(),
                true, Optional.empty()));
        assertThat(compiler.requests.get(1).codePackageUrl()).isEqualTo(location);
    }

    @Test
    void deploy_experimentalWithALayerThatIsNotThePinnedMetaflow_isRefusedNamingTheFile_andNothingIsDeployed() {
        String layerLocation = "s3://bucket/flowgate/runtime/metaflow-" + TestPackages.TEST_METAFLOW_VERSION + ".tar.gz";
        Map<String, String> patched = TestPackages.layer();
        patched.put("metaflow/cli.py", "def main(): import os; os.system('id')\n");
        packages.objects.put(layerLocation, TestPackages.tgz(patched));
        DeploymentPipeline experimental = new DeploymentPipeline(git, runs, packages, compiler, jobDefinitions, machines, store, store,
                alerts, RepositoryPolicy.parse(REPO + ":main:experimental=*"), Map.of(), Optional.of(layerLocation), new DeploymentIds(),
                Clock.systemUTC());

        DeployResult result = experimental.deploy(request("feature/x", false));

        assertThat(result.outcome()).isEqualTo(Outcome.NO_CODE_PACKAGE);
        assertThat(result.flows().get(0).message()).contains("runtime layer " + layerLocation + " is not a trusted Metaflow")
                .contains("metaflow/cli.py differs from the Metaflow " + TestPackages.TEST_METAFLOW_VERSION + " wheel");
        assertThat(machines.versions).isEmpty();
        assertThat(compiler.requests).isEmpty();

        Map<String, String> unversioned = TestPackages.layer();
        unversioned.remove("metaflow/version.py");
        packages.objects.put(layerLocation, TestPackages.tgz(unversioned));
        assertThat(experimental.deploy(request("feature/x", false)).flows().get(0).message())
                .contains("metaflow/version.py is missing");
    }

    static final String CONFIG_FLOW = """
                from metaflow import FlowSpec, Config, config_expr, project, resources, timeout, step

                @project(name=config_expr("train.project"))
                class DemoFlow(FlowSpec):
                    train = Config("train", default="conf/train.json")
                    limits = Config("limits", default_value={"seconds": 300})

                    @resources(cpu=train.cpu)
                    @timeout(seconds=limits.seconds)
                    @step
                    def start(self):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """;

    static final Map<String, String> REAL_SETTINGS = Map.of("METAFLOW_DATASTORE_SYSROOT_S3", "s3://bucket/mf",
            "METAFLOW_BATCH_JOB_QUEUE", "q", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch",
            "METAFLOW_SERVICE_URL", "https://metadata.example.com");

    @Test
    void deploy_production_refusesAPackageWithAnUnaccountedMember_andRecordsNothingAsDeployed() {
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put(".mf_code/sitecustomize.py", "import os\n");
        tagRun(packaged, true);

        DeployResult result = pipeline.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.MISMATCH);
        assertThat(result.flows().get(0).message()).contains(".mf_code/sitecustomize.py [unknown]");
        assertThat(machines.versions).isEmpty();
        assertThat(compiler.requests).isEmpty();
        assertThat(runs.addedTags).isEmpty();
        assertThat(store.history("DemoFlow", 10)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.MISMATCH);
            assertThat(r.differing()).contains(".mf_code/sitecustomize.py");
        });
        assertThat(store.deployed(REPO, request("main", false).branch(), SHA, "DemoFlow")).isEmpty();
        assertThat(git.statuses.get(git.statuses.size() - 1).state()).isEqualTo("failure");
        assertThat(alerts.alerts).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.MISMATCH));
    }

    @Test
    void deploy_anErrorDuringAFlowsDeployment_endsAsARecordedFailure_notAnEscapingThrowable() {
        tagRun(packagedFiles(), true);
        dev.flowgate.deployer.port.CodePackageStore exhausted = new dev.flowgate.deployer.port.CodePackageStore() {
            @Override
            public byte[] fetch(String location) {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public String store(String flow, String sha, byte[] archive) {
                return packages.store(flow, sha, archive);
            }

            @Override
            public String datastoreRoot() {
                return packages.datastoreRoot();
            }

            @Override
            public String verifiedLocation(String flow, String sha1, String sha256) {
                return packages.verifiedLocation(flow, sha1, sha256);
            }

            @Override
            public void publishVerified(String location, byte[] archive) {
                packages.publishVerified(location, archive);
            }

            @Override
            public String includedFileLocation(String flow, byte[] content) {
                return packages.includedFileLocation(flow, content);
            }

            @Override
            public void storeIncludedFile(String location, byte[] content) {
                packages.storeIncludedFile(location, content);
            }
        };
        DeploymentPipeline withExhaustedMemory = new DeploymentPipeline(git, runs, exhausted, compiler, jobDefinitions, machines,
                store, store, alerts, RepositoryPolicy.parse(REPO + ":main:experimental=*"), Map.of("METAFLOW_BATCH_JOB_QUEUE", "q"),
                Optional.empty(), new DeploymentIds(), Clock.systemUTC());

        DeployResult result = withExhaustedMemory.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(result.flows().get(0).message()).contains("OutOfMemoryError");
        assertThat(machines.versions).isEmpty();
        assertThat(store.history("DemoFlow", 10)).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.ERROR));
        assertThat(git.statuses.get(git.statuses.size() - 1).state()).isEqualTo("error");
        assertThat(alerts.alerts).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.ERROR));
    }

    DeploymentPipeline realCompilerPipeline() {
        return new DeploymentPipeline(git, runs, packages, new dev.flowgate.deployer.adapter.MetaflowFlowCompiler(),
                jobDefinitions, machines, store, store, alerts, RepositoryPolicy.parse(REPO + ":main:experimental=*"), REAL_SETTINGS,
                Optional.empty(), new DeploymentIds(), Clock.systemUTC());
    }

    @Test
    void deploy_production_refusesAPackageWhoseConfigDiffersFromGit_namingTheConfig_andDeploysNothing() {
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", CONFIG_FLOW);
        files.put("flows/conf/train.json", "{\"project\": \"proj\", \"cpu\": 3}");
        git.commit(SHA, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", CONFIG_FLOW);
        // what Metaflow wrote when the data scientist ran it with --config-value train '{"project": "proj", "cpu": 5}'
        packaged.put(".mf_meta/CONFIG", "{\"user_configs\": {\"train\": [{\"project\": \"proj\", \"cpu\": 5}, false],"
                + " \"limits\": [{\"seconds\": 300}, false]}}");
        tagRun(packaged, true);

        DeployResult result = realCompilerPipeline().deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.MISMATCH);
        assertThat(result.flows().get(0).comparison()).hasValueSatisfying(c -> assertThat(c.unaccounted()).singleElement()
                .satisfies(u -> {
                    assertThat(u.member()).isEqualTo(".mf_meta/CONFIG");
                    assertThat(u.reason()).contains("Config 'train'").contains("\"cpu\":5").contains("\"cpu\":3");
                }));
        assertThat(machines.versions).isEmpty();
        assertThat(store.history("DemoFlow", 10)).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.MISMATCH));
    }

    @Test
    void deploy_production_compilesWithTheConfigValuesResolvedFromGit_whenThePackageCarriesTheSame() {
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", CONFIG_FLOW);
        files.put("flows/conf/train.json", "{\"project\": \"proj\", \"cpu\": 3}");
        git.commit(SHA, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", CONFIG_FLOW);
        packaged.put(".mf_meta/CONFIG", "{\"user_configs\": {\"train\": [{\"project\": \"proj\", \"cpu\": 3}, false],"
                + " \"limits\": [{\"seconds\": 300}, false]}}");
        tagRun(packaged, true);

        DeployResult result = realCompilerPipeline().deploy(request("main", false));

        assertThat(result.outcome()).as(result.message() + result.flows()).isEqualTo(Outcome.DEPLOYED);
        String definition = machines.versions.get("proj.prod.DemoFlow").get(0);
        assertThat(definition).contains("{\"Value\":\"3\",\"Type\":\"VCPU\"}");
    }

    /** The real compiler behind a port that answers only {@link FlowCompiler#parse}: everything else must use the parse. */
    static final class ParseOnce implements FlowCompiler {
        final FlowCompiler real = new dev.flowgate.deployer.adapter.MetaflowFlowCompiler();
        int parses;

        @Override
        public ParsedFlow parse(CompileRequest request) {
            parses++;
            return real.parse(request);
        }

        @Override
        public CompiledFlow compile(CompileRequest request) {
            throw new AssertionError("compile(request) parses the source again; use the parsed flow");
        }

        @Override
        public FlowNaming naming(CompileRequest request) {
            throw new AssertionError("naming(request) parses the source again; use the parsed flow");
        }

        @Override
        public List<IncludedFile> includedFiles(CompileRequest request, String flowFile) {
            throw new AssertionError("includedFiles(request) parses the source again; use the parsed flow");
        }
    }

    @Test
    void deploy_production_parsesTheFlowOnce_forConfigsNamingIncludedFilesAndCompile() {
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", CONFIG_FLOW);
        files.put("flows/conf/train.json", "{\"project\": \"proj\", \"cpu\": 3}");
        git.commit(SHA, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", CONFIG_FLOW);
        packaged.put(".mf_meta/CONFIG", "{\"user_configs\": {\"train\": [{\"project\": \"proj\", \"cpu\": 3}, false],"
                + " \"limits\": [{\"seconds\": 300}, false]}}");
        tagRun(packaged, true);
        ParseOnce compiler = new ParseOnce();

        DeployResult result = new DeploymentPipeline(git, runs, packages, compiler, jobDefinitions, machines, store, store,
                alerts, RepositoryPolicy.parse(REPO + ":main"), REAL_SETTINGS, Optional.empty(), new DeploymentIds(),
                Clock.systemUTC()).deploy(request("main", false));

        assertThat(result.outcome()).as(result.message() + result.flows()).isEqualTo(Outcome.DEPLOYED);
        assertThat(compiler.parses).isEqualTo(1);
    }

    @Test
    void deploy_configFileFromTheCommit_setsTheDecoratorValues_andShipsInTheExperimentalPackage() throws Exception {
        String layerLocation = "s3://bucket/flowgate/runtime/metaflow-" + TestPackages.TEST_METAFLOW_VERSION + ".tar.gz";
        packages.objects.put(layerLocation, TestPackages.tgz(TestPackages.layer()));
        Map<String, String> files = repoFiles();
        files.put("flows/demoflow.py", CONFIG_FLOW);
        files.put("flows/conf/train.json", "{\"project\": \"proj\", \"cpu\": 3}");
        files.put("conf/train.json", "{\"project\": \"wrong\", \"cpu\": 99}"); // the repository root's, not the flow's
        git.commit(SHA, files);
        DeploymentPipeline real = new DeploymentPipeline(git, runs, packages, new dev.flowgate.deployer.adapter.MetaflowFlowCompiler(),
                jobDefinitions, machines, store, store, alerts, RepositoryPolicy.parse(REPO + ":main:experimental=*"), REAL_SETTINGS,
                Optional.of(layerLocation), new DeploymentIds(), Clock.systemUTC());

        DeployResult result = real.deploy(request("feature/x", false));

        assertThat(result.outcome()).as(result.message() + result.flows()).isEqualTo(Outcome.DEPLOYED);
        String machine = result.flows().get(0).stateMachine();
        assertThat(machine).isEqualTo("proj." + ProjectBranch.experimental("feature/x") + ".DemoFlow");
        String definition = machines.versions.get(machine).get(0);
        assertThat(definition).contains("{\"Value\":\"3\",\"Type\":\"VCPU\"}").contains("\"AttemptDurationSeconds\":300");
        String codeUrl = packageUrlIn(definition);
        assertThat(memberOf(packages.objects.get(codeUrl), ".mf_meta/CONFIG"))
                .isEqualTo("{\"user_configs\": {\"limits\": [{\"seconds\":300}, false], \"train\": [{\"project\":\"proj\",\"cpu\":3}, false]}}");
    }

    @Test
    void deploy_givesTheCompilerTheCommitsFilesRelativeToTheFlowDirectory_neverOutsideTheRepository() {
        tagRun(packagedFiles(), true);

        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        FlowCompiler.RepositoryFiles files = compiler.requests.get(0).files();
        assertThat(files.read("helpers/util.py").map(String::new)).contains("def f(): return 1\n");
        assertThat(files.read("./data/../helpers/util.py").map(String::new)).contains("def f(): return 1\n");
        assertThat(files.read("../flowgate.yaml").map(String::new)).contains(MANIFEST);
        assertThat(files.read("../../etc/passwd")).isEmpty();
        assertThat(files.read("/etc/passwd")).isEmpty();
        assertThat(files.read("missing.json")).isEmpty();
    }

    private static String packageUrlIn(String definition) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3://bucket/flowgate/verified/[0-9a-f]{64}/DemoFlow/data/[0-9a-f]{2}/[0-9a-f]{40}").matcher(definition);
        assertThat(m.find()).as("code package URL in " + definition).isTrue();
        return m.group();
    }

    private static String memberOf(byte[] archive, String name) throws java.io.IOException {
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(new java.io.ByteArrayInputStream(archive)))) {
            for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(name + " is not in the package");
    }

    @Test
    void deploy_olderCommitAfterANewerOne_isSkippedNotDeployedOverIt() {
        tagRun(packagedFiles(), true);
        String older = "b".repeat(40);
        git.commit(older, repoFiles());
        git.behind.add(SHA + "..." + older);
        git.heads.put("main", SHA);
        pipeline.deploy(request("main", false));

        DeployResult late = pipeline.deploy(new DeployRequest("late", Source.GITHUB_PUSH, REPO, older, "refs/heads/main",
                List.of(), false, Optional.empty()));

        assertThat(late.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(late.message()).contains("is older than " + SHA.substring(0, 12));
        assertThat(machines.versions.get("proj.prod.DemoFlow")).hasSize(1);
    }

    @Test
    void commitStatuses_linkToTheDeployment_andTheNoOpOutcomesAnswerOnTheirCommitToo() {
        pipeline.linkStatusesTo(StatusLinks.localRecord("http://127.0.0.1:8080/"));
        tagRun(packagedFiles(), true);
        String older = "b".repeat(40);
        git.commit(older, repoFiles());
        git.behind.add(SHA + "..." + older);
        git.heads.put("main", SHA);
        DeployResult first = pipeline.deploy(request("main", false));
        String record = "http://127.0.0.1:8080/local/deployments/DemoFlow/" + first.deploymentId();
        assertThat(git.statuses).extracting(CommitStatus::targetUrl).containsExactly(record, record);

        git.statuses.clear();
        DeployResult again = pipeline.deploy(request("main", false));
        DeployResult late = pipeline.deploy(new DeployRequest("late", Source.GITHUB_PUSH, REPO, older, "refs/heads/main",
                List.of(), false, Optional.empty()));

        assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_DEPLOYED);
        assertThat(late.outcome()).isEqualTo(Outcome.SKIPPED);
        // a follower of either push sees it end; both point at the deployment that stays live
        assertThat(git.statuses).extracting(CommitStatus::state).containsExactly("success", "success");
        assertThat(git.statuses.get(0).description()).contains("already deployed");
        assertThat(git.statuses.get(1).description()).startsWith("skipped: ").contains("is older than");
        assertThat(git.statuses).extracting(CommitStatus::targetUrl).containsOnly(record);
    }

    @Test
    void statusLinks_onAwsPointAtTheStateMachineInTheStepFunctionsConsole_onceItIsKnown() {
        StatusLinks console = StatusLinks.stepFunctionsConsole("eu-west-1",
                StatusLinks.accountOf("arn:aws:iam::123456789012:role/flowgate-sfn").orElseThrow());
        assertThat(console.link("d-1", "DemoFlow", "proj.prod.DemoFlow")).contains(
                "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/"
                        + "arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3AstateMachine%3Aproj.prod.DemoFlow");
        assertThat(console.link("d-1", "DemoFlow", "")).isEmpty();
        assertThat(StatusLinks.accountOf("not-an-arn")).isEmpty();
    }

    @Test
    void deploy_handsTheTimezoneScheduleAndTheFinishTriggerOn_andTheNextCommitWithoutThemTakesThemAway() {
        String started = "from metaflow import FlowSpec, step, schedule, trigger_on_finish\n"
                + "@schedule(cron='0 6 * * ? *', timezone='Europe/Berlin')\n@trigger_on_finish(flow='IngestFlow')\n"
                + "class DemoFlow(FlowSpec):\n    pass\n";
        String earlier = "d".repeat(40);
        Map<String, String> files = new LinkedHashMap<>(repoFiles());
        files.put("flows/demoflow.py", started);
        git.commit(earlier, files);
        Map<String, String> packaged = new LinkedHashMap<>(packagedFiles());
        packaged.put("demoflow.py", started);
        tagRun(packaged, true);

        DeployResult first = pipeline.deploy(new DeployRequest("jenkins:job#1", Source.JENKINS, REPO, earlier, "refs/heads/main",
                List.of(), false, Optional.empty()));

        assertThat(first.outcome()).as(first.message()).isEqualTo(Outcome.DEPLOYED);
        assertThat(machines.schedules).containsEntry("proj.prod.DemoFlow",
                new FlowCompiler.Schedule("cron(0 6 * * ? *)", Optional.of("Europe/Berlin")));
        assertThat(machines.finishTriggers).containsEntry("proj.prod.DemoFlow", List.of("proj.prod.IngestFlow"));

        tagRun(packagedFiles(), true);
        DeployResult second = pipeline.deploy(request("main", false));

        assertThat(second.outcome()).as(second.message()).isEqualTo(Outcome.DEPLOYED);
        assertThat(machines.schedules).containsEntry("proj.prod.DemoFlow", FlowCompiler.Schedule.utc("cron(0 3 * * ? *)"));
        assertThat(machines.finishTriggers).doesNotContainKey("proj.prod.DemoFlow");
    }

    @Test
    void deploy_whileARollbackHoldsTheStateMachinesLease_isBusyAndPublishesNothing() {
        tagRun(packagedFiles(), true);
        store.claim("machine#proj.prod.DemoFlow", "d-20261206T000000Z-rollbk", java.time.Instant.now().plusSeconds(60));

        DeployResult busy = pipeline.deploy(request("main", false));

        assertThat(busy.flows().get(0).outcome()).isEqualTo(Outcome.BUSY);
        assertThat(busy.flows().get(0).message()).contains("d-20261206T000000Z-rollbk");
        assertThat(machines.versions).isEmpty();
        store.release("machine#proj.prod.DemoFlow");
        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(store.claimed("machine#proj.prod.DemoFlow")).isFalse();
    }

    @Test
    void deploy_sameCommitAfterUndeploy_deploysAgain() {
        tagRun(packagedFiles(), true);
        pipeline.deploy(request("main", false));
        DeploymentHistory history = new DeploymentHistory(store, store, machines, new DeploymentIds(), Clock.systemUTC());
        assertThat(history.undeploy("DemoFlow", Optional.empty()).message()).contains("removed proj.prod.DemoFlow");
        assertThat(machines.schedules).doesNotContainKey("proj.prod.DemoFlow");

        assertThat(pipeline.deploy(request("main", false)).outcome()).isEqualTo(Outcome.DEPLOYED);
        assertThat(machines.currentDefinition("proj.prod.DemoFlow")).isPresent();
    }

    @Test
    void deploy_redeploymentKeepsTheLiveProductionToken() {
        tagRun(packagedFiles(), true);
        pipeline.deploy(request("main", false));
        String first = compiler.requests.get(0).productionToken();
        assertThat(first).matches("mfprj-yw7tjrgksk5zmhdn-0-[a-z]{4}");

        String next = "e".repeat(40);
        git.commit(next, repoFiles());
        pipeline.deploy(new DeployRequest("r2", Source.JENKINS, REPO, next, "refs/heads/main", List.of(), false,
                Optional.empty()));

        assertThat(compiler.requests.get(1).productionToken()).isEqualTo(first);
        assertThat(ProductionToken.in(machines.currentDefinition("proj.prod.DemoFlow").orElseThrow())).contains(first);
    }

    @Test
    void deploy_whenTheRunsRecordedLocationCouldReachAShell_refusesNamingIt_andDeploysNothing() {
        tagRun(packagedFiles(), true);
        String hostile = location + "';touch$IFS/tmp/x;'";
        packages.objects.put(hostile, packages.objects.get(location));
        runs.newest.put("DemoFlow", new TaggedRun("DemoFlow", "sfn-abc", 1, List.of("prod_ready"), true,
                Optional.of(new CodePackageRef("s3", hostile, packageSha, 1))));

        DeployResult result = pipeline.deploy(request("main", false));

        assertThat(result.outcome()).isEqualTo(Outcome.NO_CODE_PACKAGE);
        assertThat(result.flows().get(0).message()).contains("recorded code package location is refused")
                .contains("letters, digits and _.-/ only");
        assertThat(compiler.requests).isEmpty();
        assertThat(machines.tags).isEmpty();
        assertThat(packages.objects.keySet()).noneMatch(k -> k.contains("/flowgate/verified/"));
    }

    @Test
    void deploy_dryRun_publishesNothing_butCompilesAgainstWhereItWouldPublish() {
        tagRun(packagedFiles(), true);

        pipeline.deploy(request("main", true));

        assertThat(compiler.requests.get(0).codePackageUrl()).startsWith("s3://bucket/flowgate/verified/");
        assertThat(packages.objects.keySet()).noneMatch(k -> k.contains("/flowgate/verified/"));
    }
}

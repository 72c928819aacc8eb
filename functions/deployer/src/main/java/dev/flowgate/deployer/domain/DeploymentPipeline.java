package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.DeployResult.FlowResult;
import dev.flowgate.deployer.domain.ProjectManifest.FlowEntry;
import dev.flowgate.deployer.domain.RepositoryPolicy.Target;
import dev.flowgate.deployer.domain.TaggedRun.CodePackageRef;
import dev.flowgate.deployer.domain.graph.GraphCheck;
import dev.flowgate.deployer.port.AlertNotifier;
import dev.flowgate.deployer.port.CodePackageStore;
import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.DeploymentStore;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
import dev.flowgate.deployer.port.FlowCompiler.CompiledFlow;
import dev.flowgate.deployer.port.FlowCompiler.StoredFile;
import dev.flowgate.deployer.port.GitHost;
import dev.flowgate.deployer.port.JobDefinitionRegistry;
import dev.flowgate.deployer.port.RunRegistry;
import dev.flowgate.deployer.port.StateMachineDeployer;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.Tags;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The deployment pipeline, one flow at a time: resolve settings → find run → verify code → compile → deploy →
 * tag run → record → report. Every stage is safe to repeat: a flow already deployed from this commit is a
 * no-op, state machine updates publish a new version, tags and statuses are idempotent. Failures become typed
 * {@link DeployError}s: recorded, reported on the commit, alerted.
 */
public final class DeploymentPipeline {
    public static final String STATUS_CONTEXT_PREFIX = "flowgate/";
    /** {@code metaflow.owner} of the state machines the deployer creates. */
    public static final String OWNER = "flowgate";
    static final java.time.Duration LEASE = java.time.Duration.ofMinutes(16);
    private final GitHost git;
    private final RunRegistry runs;
    private final CodePackageStore packages;
    private final VerifiedPackagePublisher publisher;
    private final FlowCompiler compiler;
    private final StateMachineDeployer machines;
    private final JobDefinitionRegistry jobDefinitions;
    private final DeploymentStore store;
    private final DeliveryLedger leases;
    private final AlertNotifier alerts;
    private final RepositoryPolicy policy;
    private final Map<String, String> metaflowSettings;
    private final Optional<String> runtimeLayer;
    private final Map<String, Map<String, byte[]>> layers = new java.util.concurrent.ConcurrentHashMap<>();
    private final DeploymentIdClaims idClaims;
    private final MachineApply apply;
    private final CommitProvenance provenance;
    private final Clock clock;
    /** Compares the compiled flow with the prod_ready run's own graph record; null only in tests of other stages. */
    private final GraphCheck graphCheck;
    /** Where commit statuses point; set once by the wiring ({@link #linkStatusesTo}). */
    private volatile StatusLinks links = StatusLinks.none();

    public DeploymentPipeline(GitHost git, RunRegistry runs, CodePackageStore packages, FlowCompiler compiler,
                              JobDefinitionRegistry jobDefinitions, StateMachineDeployer machines,
                              DeploymentStore store, DeliveryLedger leases,
                              AlertNotifier alerts,
                              RepositoryPolicy policy, Map<String, String> metaflowSettings,
                              Optional<String> runtimeLayer, DeploymentIds ids, Clock clock) {
        this(git, runs, packages, compiler, jobDefinitions, machines, store, leases, alerts, policy, metaflowSettings,
                runtimeLayer, ids, clock, null);
    }

    /** @param graphCheck the graph stage (production wiring always has one) */
    public DeploymentPipeline(GitHost git, RunRegistry runs, CodePackageStore packages, FlowCompiler compiler,
                              JobDefinitionRegistry jobDefinitions, StateMachineDeployer machines,
                              DeploymentStore store, DeliveryLedger leases,
                              AlertNotifier alerts,
                              RepositoryPolicy policy, Map<String, String> metaflowSettings,
                              Optional<String> runtimeLayer, DeploymentIds ids, Clock clock,
                              GraphCheck graphCheck) {
        this.graphCheck = graphCheck;
        this.git = git;
        this.runs = runs;
        this.packages = packages;
        this.publisher = new VerifiedPackagePublisher(packages);
        this.compiler = compiler;
        this.machines = machines;
        this.jobDefinitions = jobDefinitions;
        this.store = store;
        this.leases = leases;
        this.alerts = alerts;
        this.policy = policy;
        this.metaflowSettings = Map.copyOf(metaflowSettings);
        this.runtimeLayer = runtimeLayer;
        this.idClaims = new DeploymentIdClaims(leases, ids, clock);
        this.apply = new MachineApply(machines, jobDefinitions, leases, clock);
        this.provenance = new CommitProvenance(git);
        this.clock = clock;
    }

    /** Commit statuses point at {@code links}' page of the deployment (wiring time; none by default). */
    public DeploymentPipeline linkStatusesTo(StatusLinks links) {
        this.links = java.util.Objects.requireNonNull(links, "links");
        return this;
    }

    /**
     * @throws DeployRequestJson.InvalidRequest naming {@code deployment_id} when the request carries an id that is
     *                                          malformed, out of date, or belongs to another deployment
     */
    public DeployResult deploy(DeployRequest request) {
        // one id, one invocation: claimed before anything else, so no one can share a running deployment's lease
        String deploymentId = idClaims.claim(request.deploymentId());
        Optional<Target> target = policy.target(request.repository(), request.branch());
        if (target.isEmpty()) {
            return new DeployResult(deploymentId, request.requestId(), request.repository(), request.commitSha(),
                    Outcome.NOT_CONFIGURED, policy.refusal(request.repository(), request.branch()), List.of());
        }
        ProjectManifest manifest;
        List<FlowEntry> flows;
        try {
            // whatever triggered it, the commit must be on the branch it claims to come from (fails closed)
            provenance.requireOnBranch(request.repository(), request.branch(), request.commitSha());
        } catch (DeployError e) {
            report(request, deploymentId, "provenance", "", e instanceof DeployError.ProvenanceUnknown ? "error" : "failure", e.getMessage());
            alert(request, deploymentId, "provenance", Optional.empty(), e, Optional.empty());
            return DeployResult.refused(request, deploymentId, e);
        }
        try {
            manifest = git.file(request.repository(), request.commitSha(), ProjectManifest.FILE)
                    .map(ProjectManifest::parse).orElseGet(ProjectManifest::missing);
            flows = selectFlows(manifest, request.flows());
        } catch (DeployError e) {
            report(request, deploymentId, "manifest", "", "failure", e.getMessage());
            alert(request, deploymentId, "manifest", Optional.empty(), e, Optional.empty());
            return DeployResult.refused(request, deploymentId, e);
        }
        if (request.deploymentId().isPresent()) {
            for (FlowEntry flow : flows) {
                if (store.find(flow.name(), deploymentId).isPresent()) {
                    throw new DeployRequestJson.InvalidRequest(List.of(new DeployRequestJson.FieldError(
                            DeploymentIdClaims.FIELD, "deployment_id " + deploymentId + " already has a record of "
                            + flow.name() + "; a deployment id is used once: omit it to get a fresh one")));
                }
            }
        }
        ProjectBranch projectBranch = target.get() == Target.PRODUCTION ? ProjectBranch.production()
                : ProjectBranch.experimental(request.branch());
        List<FlowResult> results = new ArrayList<>();
        for (FlowEntry flow : flows) {
            results.add(deployFlow(request, deploymentId, manifest, flow, projectBranch));
        }
        return DeployResult.of(request, deploymentId, results);
    }

    private static List<FlowEntry> selectFlows(ProjectManifest manifest, List<String> requested) {
        if (requested.isEmpty()) {
            return manifest.flows();
        }
        List<FlowEntry> selected = new ArrayList<>();
        for (String name : requested) {
            selected.add(manifest.flow(name).orElseThrow(() -> new DeployError.InvalidManifest("flows",
                    "flow " + name + " is not listed in " + ProjectManifest.FILE + "; add it under 'flows:'")));
        }
        return selected;
    }

    private FlowResult deployFlow(DeployRequest request, String deploymentId, ProjectManifest manifest, FlowEntry flow,
                                  ProjectBranch projectBranch) {
        if (request.dryRun()) {
            return deployFlowLeased(request, deploymentId, manifest, flow, projectBranch);
        }
        // two deployments of one flow (and @project branch) never interleave: a lease with a TTL past Lambda's 15 min
        String lease = "lease#" + manifest.project() + "." + projectBranch.label() + "." + flow.name();
        Optional<String> holder = leases.claim(lease, deploymentId, clock.instant().plus(LEASE));
        if (holder.isPresent()) {
            // never re-entered, not even by a request carrying the holder's id: a lease is never shared
            DeployError busy = new DeployError.Busy(flow.name(), holder.get());
            return FlowResult.builder().flow(flow.name()).outcome(busy.outcome()).message(busy.getMessage()).build();
        }
        try {
            return deployFlowLeased(request, deploymentId, manifest, flow, projectBranch);
        } finally {
            leases.release(lease);
        }
    }

    /** One flow's deployment as it moves through the stages: what a failure at any point records. */
    private static final class Attempt {
        final DeployRequest request;
        final String deploymentId;
        final ProjectManifest manifest;
        final FlowEntry flow;
        final ProjectBranch projectBranch;
        final Map<String, Long> stages = new LinkedHashMap<>();
        TaggedRun run;
        String stateMachine = "";

        Attempt(DeployRequest request, String deploymentId, ProjectManifest manifest, FlowEntry flow,
                ProjectBranch projectBranch) {
            this.request = request;
            this.deploymentId = deploymentId;
            this.manifest = manifest;
            this.flow = flow;
            this.projectBranch = projectBranch;
        }

        boolean production() {
            return projectBranch.isProduction();
        }

        String sha() {
            return request.commitSha();
        }

        String pathspec() {
            return run == null ? "" : run.pathspec();
        }
    }

    /**
     * What the package stage settled: the run deployed (none for a package built from git), the package the state
     * machine will run, where it came from, how it compared with git, and the Config values resolved from git.
     */
    private record Source(CodePackageRef pkg, String origin, Optional<CodeComparison> comparison, Parse parse) {
    }

    /** The flow at the commit parsed once, and the request it was parsed from (the compile request builds on it). */
    private record Parse(CompileRequest request, FlowCompiler.ParsedFlow flow) {
    }

    /** What the compile and graph stages made: the flow to apply, and the graph check's note (none without a run). */
    private record Plan(CompiledFlow flow, Optional<GraphCheck.Checked> graph) {
    }

    /**
     * The stages, in order: precheck (older commit, already deployed) → source (find and verify the run, publish the
     * verified bytes; or build the package from git) → plan (compile, graph check) → apply → tag the run, record,
     * report. A dry run is the stages before apply, writing nothing.
     */
    private FlowResult deployFlowLeased(DeployRequest request, String deploymentId, ProjectManifest manifest,
                                        FlowEntry flow, ProjectBranch projectBranch) {
        Attempt attempt = new Attempt(request, deploymentId, manifest, flow, projectBranch);
        try {
            if (!request.dryRun()) {
                Optional<FlowResult> nothingToDo = precheck(attempt);
                if (nothingToDo.isPresent()) {
                    return nothingToDo.get();
                }
                report(request, deploymentId, flow.name(), "", "pending", "deploying " + flow.name() + " from " + attempt.sha().substring(0, 12));
            }
            Source source = source(attempt);
            Plan plan = plan(attempt, source);
            return request.dryRun() ? dryRunResult(attempt, source, plan) : applyAndRecord(attempt, source, plan);
        } catch (DeployError e) {
            return failed(attempt, e);
        } catch (RuntimeException | Error e) {
            // an Error too (OutOfMemoryError, StackOverflowError...): the flow's deployment ends as a recorded failure
            return failed(attempt, new DeployError.Unavailable(flow.name() + ": " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e));
        }
    }

    /** A newer commit of the branch already deployed (skipped), or this commit still live (nothing to do). */
    private Optional<FlowResult> precheck(Attempt attempt) {
        String repo = attempt.request.repository();
        String branch = attempt.request.branch();
        String sha = attempt.sha();
        String flow = attempt.flow.name();
        // the last commit of this repository and branch deployed; when the host cannot compare, refuse
        Optional<DeploymentRecord> newer = store.history(flow, 20).stream()
                .filter(r -> r.outcome() == Outcome.DEPLOYED && "deploy".equals(r.kind())
                        && r.repository().equalsIgnoreCase(repo) && r.branch().equals(branch) && !r.commitSha().equals(sha))
                .findFirst()
                .filter(r -> provenance.isOlderThan(repo, sha, r.commitSha()));
        if (newer.isPresent()) {
            DeploymentRecord live = newer.get();
            String message = flow + ": " + sha.substring(0, 12) + " is older than "
                    + live.commitSha().substring(0, Math.min(12, live.commitSha().length()))
                    + ", deployed by " + live.deploymentId() + "; not deploying over it";
            // the push is answered on its commit too (a follower sees the end), pointing at what stays live
            report(attempt.request, live.deploymentId(), flow, live.stateMachine(), "success", "skipped: " + message);
            return Optional.of(FlowResult.builder().flow(flow).outcome(Outcome.SKIPPED)
                    .message(message)
                    .stageMillis(attempt.stages)
                    .build());
        }
        // a commit already deployed and still the newest of its branch: nothing to do
        Optional<DeploymentRecord> done = store.deployed(repo, branch, sha, flow)
                .filter(record -> machines.currentDefinition(record.stateMachine()).isPresent());
        if (done.isEmpty()) {
            return Optional.empty();
        }
        String message = flow + " was already deployed from " + sha.substring(0, 12) + " by " + done.get().deploymentId()
                + "; nothing to do";
        report(attempt.request, done.get().deploymentId(), flow, done.get().stateMachine(), "success", message);
        return Optional.of(FlowResult.builder().flow(flow).outcome(Outcome.ALREADY_DEPLOYED)
                .message(message)
                .runPathspec(done.get().runPathspec())
                .stateMachine(done.get().stateMachine())
                .versionArn(done.get().versionArn())
                .stageMillis(attempt.stages)
                .build());
    }

    /**
     * Production (and experimental without a runtime layer): the newest prod_ready run, its package verified member
     * by member and published where only the deployer writes. Experimental with a layer: no tag gate, the package
     * built from the branch commit.
     */
    private Source source(Attempt attempt) {
        DeployRequest request = attempt.request;
        FlowEntry flow = attempt.flow;
        if (!attempt.production() && runtimeLayer.isPresent()) {
            Parse parse = parse(request, flow);
            CodePackageRef pkg = timed(attempt.stages, "package",
                    () -> packageFromGit(request, flow, attempt.manifest, runtimeLayer.get(), parse.flow()));
            return new Source(pkg, "git " + attempt.sha().substring(0, 12), Optional.empty(), parse);
        }
        TaggedRun run = timed(attempt.stages, "find_run", () -> findRun(flow.name()));
        attempt.run = run;
        CodePackageRef recorded = run.codePackage().orElseThrow();
        publisher.requireRecordedLocation(flow.name(), recorded);
        VerifiedPackage checked = timed(attempt.stages, "verify_code",
                () -> verify(request, flow, attempt.manifest, run, recorded));
        // production runs the bytes just verified, published where only the deployer writes, digest-checked
        CodePackageRef pkg = timed(attempt.stages, "publish_package",
                () -> publisher.publishVerified(flow.name(), recorded, checked.archive(), request.dryRun()));
        // the Config values resolved from git (a package whose CONFIG differs was refused); the compile uses them
        return new Source(pkg, "run " + run.pathspec(), Optional.of(checked.comparison()), checked.parse());
    }

    /** Compiles, then checks the compiled flow against the graph the verified run executed (never for git-built packages). */
    private Plan plan(Attempt attempt, Source source) {
        Compilation compilation = timed(attempt.stages, "compile", () -> compile(attempt.request, attempt.flow,
                attempt.manifest, source.pkg(), attempt.projectBranch, attempt.deploymentId,
                source.parse()));
        attempt.stateMachine = compilation.flow().stateMachineName();
        TaggedRun run = attempt.run;
        if (run == null || graphCheck == null) {
            return new Plan(compilation.flow(), Optional.empty());
        }
        GraphCheck.Checked graph = timed(attempt.stages, "graph_check",
                () -> graphCheck.check(run, source.parse().flow(), compilation.request(), compilation.flow()));
        attempt.stateMachine = graph.flow().stateMachineName();
        return new Plan(graph.flow(), Optional.of(graph));
    }

    private FlowResult dryRunResult(Attempt attempt, Source source, Plan plan) {
        CompiledFlow compiled = plan.flow();
        Optional<String> live = machines.currentDefinition(compiled.stateMachineName());
        String change = live.isEmpty() ? "create" : live.get().equals(compiled.definitionJson()) ? "unchanged" : "update";
        String message = "dry run: would " + (change.equals("unchanged") ? "leave unchanged" : change) + " "
                + compiled.stateMachineName() + " from " + source.origin()
                + compiled.schedule().map(s -> " with schedule " + s).orElse(" without schedule")
                + (compiled.triggeredBy().isEmpty() ? "" : ", started when " + String.join(" or ", compiled.triggeredBy())
                + " succeeds")
                + plan.graph().map(g -> "; " + g.summary()).orElse("");
        return FlowResult.builder().flow(attempt.flow.name()).outcome(Outcome.PLANNED).message(message)
                .runPathspec(attempt.pathspec())
                .stateMachine(compiled.stateMachineName())
                .comparison(source.comparison())
                .stageMillis(attempt.stages)
                .plan(Optional.of(change))
                .graph(plan.graph().map(GraphCheck.Checked::note))
                .build();
    }

    private FlowResult applyAndRecord(Attempt attempt, Source source, Plan plan) {
        CompiledFlow compiled = plan.flow();
        String flow = attempt.flow.name();
        String sha = attempt.sha();
        TaggedRun run = attempt.run;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("flowgate:git_sha", sha);
        tags.put("flowgate:project", attempt.manifest.project());
        tags.put("flowgate:branch", attempt.projectBranch.label());
        if (run != null) {
            tags.put("flowgate:run", run.pathspec());
        }
        tags.put("flowgate:code_sha", source.pkg().sha());
        tags.put("flowgate:deployment", attempt.deploymentId);
        String description = attempt.deploymentId + " " + attempt.request.repository() + "@" + sha.substring(0, 12) + " "
                + source.origin();
        MachineTriggers triggers = new MachineTriggers(compiled.schedule(), compiled.triggeredBy());
        DeployedMachine deployed = timed(attempt.stages, "deploy", () -> apply.apply(attempt.deploymentId,
                new MachineApply.Change(flow, compiled.stateMachineName(), compiled.definitionJson(),
                        compiled.jobDefinitions(), tags, description, Optional.of(triggers))));
        if (run != null) {
            timed(attempt.stages, "tag_run", () -> {
                runs.addTags(flow, run.runId(), List.of("git_hash:" + sha, "flowgate_deployment:" + attempt.deploymentId));
                return null;
            });
        }
        String message = "deployed " + compiled.stateMachineName() + " from " + source.origin();
        Optional<GateTagging> gate = run == null ? Optional.empty() : run.gateTagging();
        timed(attempt.stages, "record", () -> {
            store.record(DeploymentRecord.builder().deploymentId(attempt.deploymentId).flow(flow).kind("deploy")
                    .repository(attempt.request.repository())
                    .commitSha(sha)
                    .branch(attempt.request.branch())
                    .outcome(Outcome.DEPLOYED)
                    .message(message)
                    .runPathspec(attempt.pathspec())
                    .stateMachine(compiled.stateMachineName())
                    .versionArn(deployed.versionArn())
                    .definition(compiled.definitionJson())
                    .at(clock.instant())
                    .stageMillis(attempt.stages)
                    .gateTagging(gate.orElse(null))
                    .production(attempt.production())
                    .triggers(triggers)
                    .build());
            return null;
        });
        report(attempt.request, attempt.deploymentId, flow, compiled.stateMachineName(), "success",
                GateStatus.describe(message, gate));
        return FlowResult.builder().flow(flow).outcome(Outcome.DEPLOYED).message(message)
                .runPathspec(attempt.pathspec())
                .stateMachine(compiled.stateMachineName())
                .versionArn(deployed.versionArn())
                .comparison(source.comparison())
                .stageMillis(attempt.stages)
                .gateTagging(gate)
                .graph(plan.graph().map(GraphCheck.Checked::note))
                .build();
    }

    /**
     * Experimental deployments: the user files Metaflow would package from the flow directory at the commit
     * (blob ids re-checked), plus the runtime layer, assembled deterministically and stored content-addressed.
     */
    private CodePackageRef packageFromGit(DeployRequest request, FlowEntry flow, ProjectManifest manifest, String layerLocation,
                                          FlowCompiler.ParsedFlow parsed) {
        CodeVerifier.Selection selection = CodeVerifier.select(git.tree(request.repository(), request.commitSha()),
                flow.directory(), manifest.packageSuffixes());
        if (!selection.links().isEmpty()) {
            throw new DeployError.NoCodePackage(flow.name(), "symlinks or submodules under " + flow.directory()
                    + " cannot be packaged from git: " + String.join(", ", selection.links()));
        }
        if (!selection.files().containsKey(flow.fileName())) {
            throw new DeployError.InvalidManifest("flows", flow.file() + " does not exist at "
                    + request.commitSha().substring(0, 12) + "; fix 'file:' of " + flow.name() + " in flowgate.yaml");
        }
        Map<String, byte[]> files = new TreeMap<>();
        List<String> executable = new ArrayList<>();
        selection.files().forEach((path, entry) -> {
            byte[] bytes = git.blob(request.repository(), entry.sha());
            if (!CodePackageReader.gitBlobId(bytes).equals(entry.sha())) {
                throw new DeployError.Unavailable("blob " + entry.sha() + " of " + path + " arrived corrupted", null);
            }
            files.put(path, bytes);
            if ("100755".equals(entry.mode())) {
                executable.add(path);
            }
        });
        Map<String, byte[]> layer = layers.computeIfAbsent(layerLocation, location -> trustedLayer(flow.name(), location));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("script", flow.fileName());
        info.put("runtime", "flowgate");
        info.put("environment_type", "local");
        info.put("repo_url", request.repository());
        info.put("branch_name", request.branch());
        info.put("commit_sha", request.commitSha());
        Map<String, String> userConfigs = parsed.configValues();
        byte[] archive = CodePackageAssembler.assemble(layer, files, executable, FlowgateJson.write(info), userConfigs);
        return publisher.publish(flow.name(), archive, 1, request.dryRun());
    }

    /** The runtime layer, read once per container, only when it is the pinned Metaflow (else nothing is cached). */
    private Map<String, byte[]> trustedLayer(String flow, String location) {
        Map<String, byte[]> layer = CodePackageAssembler.readLayer(packages.fetch(location));
        List<String> problems = TrustedMetaflow.layerProblems(layer);
        if (!problems.isEmpty()) {
            throw new DeployError.NoCodePackage(flow, "the Metaflow runtime layer " + location + " is not a trusted"
                    + " Metaflow (" + String.join("; ", problems) + "); publish it with scripts/publish-metaflow-layer"
                    + " from the pinned Metaflow of scripts/python-requirements.txt");
        }
        return layer;
    }

    private TaggedRun findRun(String flow) {
        TaggedRun run = runs.newestTagged(flow, Tags.PROD_READY)
                .orElseThrow(() -> new DeployError.RunNotTaggedProdReady(flow, "no run carries the prod_ready tag"));
        if (!run.successful()) {
            throw new DeployError.RunNotTaggedProdReady(flow, "the newest prod_ready run " + run.pathspec()
                    + " did not finish successfully");
        }
        if (run.codePackage().isEmpty()) {
            throw new DeployError.NoCodePackage(flow, "run " + run.pathspec() + " has no code package (it ran only"
                    + " locally); tag a run made with --with batch or on Step Functions");
        }
        return run;
    }

    /** A run's package whose every member is accounted for, the Config values resolved from git the compile uses, and
     * the exact bytes verified (which the publisher writes where production reads them). */
    private record VerifiedPackage(CodeComparison comparison, Parse parse, byte[] archive) {
    }

    private VerifiedPackage verify(DeployRequest request, FlowEntry flow, ProjectManifest manifest, TaggedRun run,
                                   CodePackageRef pkg) {
        byte[] archive = packages.fetch(pkg.location());
        String actual = CodePackageReader.sha1(archive);
        if (!actual.equals(pkg.sha())) {
            throw new DeployError.NoCodePackage(flow.name(), "code package at " + pkg.location() + " has SHA-1 " + actual
                    + ", the run recorded " + pkg.sha());
        }
        Parse parse = parse(request, flow);
        Map<String, String> gitConfigs = parse.flow().configValues();
        CodeComparison comparison = PackageGate.check(flow.name(), archive, pkg.layoutVersion(), new GitCode(
                git.tree(request.repository(), request.commitSha()), flow.file(), manifest.packageSuffixes(), gitConfigs));
        if (!comparison.identical()) {
            throw new DeployError.CodeMismatch(flow.name(), comparison);
        }
        return new VerifiedPackage(comparison, parse, archive);
    }

    /** A compiled flow and the request it was compiled from (the graph stage compiles it again with the run's record). */
    private record Compilation(CompileRequest request, CompiledFlow flow) {
    }

    private Compilation compile(DeployRequest request, FlowEntry flow, ProjectManifest manifest, CodePackageRef pkg,
                                ProjectBranch projectBranch, String deploymentId, Parse parse) {
        // the compiler names the state machine (StateMachineNames, the one source); a flow without @project has only
        // its production state machine, so an experimental branch never deploys it
        CompileRequest withoutToken = parse.request().toBuilder()
                .codePackageUrl(pkg.location())
                .codePackageSha(pkg.sha())
                .codePackageLayout(pkg.layoutVersion())
                .codePackageSha256(pkg.sha256().orElse(null))
                .projectBranch(projectBranch)
                .configValues(parse.flow().configValues())
                .productionToken("")
                .build();
        FlowCompiler.FlowNaming naming = parse.flow().naming(withoutToken);
        String name = naming.stateMachineName()
                .orElseThrow(() -> new DeployError.ProjectRequired(flow.name(), request.branch()));
        String token = machines.currentDefinition(name).flatMap(ProductionToken::in)
                .orElseGet(() -> ProductionToken.fresh(ProductionToken.prefix(manifest.project(), projectBranch.label()), deploymentId));
        CompileRequest withToken = withoutToken.toBuilder().productionToken(token).build();
        Map<String, StoredFile> included = includedFiles(request, flow, parse.flow());
        CompileRequest used = withToken.toBuilder().includedFiles(included).build();
        CompiledFlow compiled = parse.flow().compile(used);
        if (!compiled.stateMachineName().equals(name)) {
            throw new DeployError.CompileFailed(flow.name(), "the compiler named the state machine " + compiled.stateMachineName()
                    + " after announcing " + name + "; not deploying", null);
        }
        return new Compilation(used, compiled);
    }

    /** The flow file at the commit, parsed once with the commit's Config files (never run). */
    private Parse parse(DeployRequest request, FlowEntry flow) {
        byte[] source = git.file(request.repository(), request.commitSha(), flow.file())
                .orElseThrow(() -> new DeployError.InvalidManifest("flows", flow.file() + " does not exist at "
                        + request.commitSha().substring(0, 12) + "; fix 'file:' of " + flow.name() + " in flowgate.yaml"));
        CompileRequest flowRequest = flowRequest(request, flow, source).build();
        return new Parse(flowRequest, compiler.parse(flowRequest));
    }

    /** What parsing the flow needs: its source, options and the commit's files (Config defaults); no package. */
    private CompileRequest.Builder flowRequest(DeployRequest request, FlowEntry flow, byte[] source) {
        return CompileRequest.builder()
                .flowSource(new String(source, StandardCharsets.UTF_8))
                .fileName(flow.fileName())
                .flowName(flow.name())
                .settings(metaflowSettings)
                .owner(OWNER)
                .options(flow.options())
                .files(repositoryFiles(request, flow));
    }

    /**
     * The defaults of the flow's {@code IncludeFile} parameters, read from git at the deployed commit and stored
     * where Metaflow's deploy would store them (not in a dry run), so the run's {@code init} finds them.
     */
    private Map<String, StoredFile> includedFiles(DeployRequest request, FlowEntry flow, FlowCompiler.ParsedFlow parsed) {
        Map<String, StoredFile> stored = new LinkedHashMap<>();
        for (FlowCompiler.IncludedFile file : parsed.includedFiles(flow.file())) {
            byte[] content = git.file(request.repository(), request.commitSha(), file.repositoryPath())
                    .orElseThrow(() -> new DeployError.CompileFailed(flow.name(), "IncludeFile '" + file.parameter()
                            + "' reads " + file.repositoryPath() + " by default, which is not in the repository at "
                            + request.commitSha().substring(0, 12) + "; commit it (its path is relative to " + flow.file()
                            + ") or give the IncludeFile another default", null));
            String location = packages.includedFileLocation(flow.name(), content);
            if (!request.dryRun()) {
                packages.storeIncludedFile(location, content);
            }
            stored.put(file.parameter(), new StoredFile(location, content.length));
        }
        return stored;
    }

    /** The commit's files by a path relative to the flow's directory (a Config's default= file); none outside the repository. */
    private FlowCompiler.RepositoryFiles repositoryFiles(DeployRequest request, FlowEntry flow) {
        return relative -> {
            String joined = flow.directory().isEmpty() ? relative : flow.directory() + "/" + relative;
            Path normal = Path.of(joined).normalize();
            if (relative.startsWith("/") || normal.startsWith("..")) {
                return Optional.empty();
            }
            return git.file(request.repository(), request.commitSha(), normal.toString().replace('\\', '/'));
        };
    }

    /** Records, reports and alerts a flow's failed deployment (a dry run only answers). */
    private FlowResult failed(Attempt attempt, DeployError error) {
        DeployRequest request = attempt.request;
        String flow = attempt.flow.name();
        Optional<CodeComparison> comparison = error instanceof DeployError.CodeMismatch mismatch
                ? Optional.of(mismatch.comparison()) : Optional.empty();
        if (!request.dryRun()) {
            try {
                store.record(DeploymentRecord.builder().deploymentId(attempt.deploymentId).flow(flow).kind("deploy")
                        .repository(request.repository())
                        .commitSha(request.commitSha())
                        .branch(request.branch())
                        .outcome(error.outcome())
                        .message(error.getMessage())
                        .runPathspec(attempt.pathspec())
                        .stateMachine(attempt.stateMachine)
                        .at(clock.instant())
                        .stageMillis(attempt.stages)
                        .differing(comparison.map(CodeComparison::differingFiles).orElse(List.of()))
                        .production(attempt.production())
                        .build());
            } catch (RuntimeException ignored) {
                // the failure itself is what matters; the alert below still goes out
            }
            report(request, attempt.deploymentId, flow, attempt.stateMachine, error instanceof DeployError.Unavailable ? "error" : "failure", error.getMessage());
            alert(request, attempt.deploymentId, flow, Optional.of(attempt.manifest.project()), error,
                    attempt.manifest.alertChannel());
        }
        return FlowResult.builder().flow(flow).outcome(error.outcome()).message(error.getMessage())
                .runPathspec(attempt.pathspec())
                .stateMachine(attempt.stateMachine)
                .comparison(comparison)
                .stageMillis(attempt.stages)
                .build();
    }

    private void report(DeployRequest request, String deploymentId, String context, String stateMachine, String state,
                        String description) {
        if (request.dryRun()) {
            return;
        }
        try {
            String target = links.link(deploymentId, context, stateMachine).orElse(null);
            git.postStatus(request.repository(), request.commitSha(),
                    new CommitStatus(state, STATUS_CONTEXT_PREFIX + context, description, target));
        } catch (RuntimeException ignored) {
            // a status is a courtesy: the deployment result and the record stand without it
        }
    }

    private void alert(DeployRequest request, String deploymentId, String flow, Optional<String> project, DeployError error,
                       Optional<String> channel) {
        if (request.dryRun()) {
            return;
        }
        try {
            alerts.notify(new DeploymentAlert(deploymentId, flow, project, request.repository(), request.commitSha(),
                    request.branch(), error.outcome(), error.getMessage(), channel));
        } catch (RuntimeException ignored) {
            // notifiers must not throw; never let one mask the deployment result
        }
    }

    private <T> T timed(Map<String, Long> stages, String stage, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            stages.put(stage, (System.nanoTime() - start) / 1_000_000);
        }
    }
}

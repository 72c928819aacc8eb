package dev.flowgate.deployer.fakes;

import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.CommitRelation;
import dev.flowgate.deployer.domain.CommitStatus;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeploymentAlert;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.domain.TreeEntry;
import dev.flowgate.deployer.port.AlertNotifier;
import dev.flowgate.deployer.port.CodePackageStore;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.GitHost;
import dev.flowgate.deployer.port.RunRegistry;
import dev.flowgate.deployer.port.StateMachineDeployer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** In-memory fakes of the deployer's ports, with the same contracts as the adapters. */
public final class Fakes {
    private Fakes() {
    }

    /** One repository: commits → (path → content), plus recorded statuses. */
    public static final class FakeGitHost implements GitHost {
        public final Map<String, Map<String, String>> commits = new HashMap<>();
        public final Map<String, Map<String, String>> modes = new HashMap<>();
        public final List<CommitStatus> statuses = new ArrayList<>();
        /** "base...head" pairs where head is behind base (other pairs of known commits: ahead). */
        public final java.util.Set<String> behind = new java.util.HashSet<>();
        /** "base...head" pairs that diverged. */
        public final java.util.Set<String> diverged = new java.util.HashSet<>();
        /** branch → head commit; a branch not listed points at the newest commit made with {@link #commit}. */
        public final Map<String, String> heads = new HashMap<>();
        /** "base...head" pairs GitHub cannot compare (an error answer). */
        public final java.util.Set<String> failing = new java.util.HashSet<>();
        /** When set, compare and branch reads fail as an unreachable host does. */
        public boolean unreachable;
        private String newest;

        public void commit(String sha, Map<String, String> files) {
            commits.put(sha, new LinkedHashMap<>(files));
            newest = sha;
        }

        @Override
        public Optional<byte[]> file(String repository, String commitSha, String path) {
            return Optional.ofNullable(commits.getOrDefault(commitSha, Map.of()).get(path))
                    .map(s -> s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public List<TreeEntry> tree(String repository, String commitSha) {
            List<TreeEntry> entries = new ArrayList<>();
            commits.getOrDefault(commitSha, Map.of()).forEach((path, content) -> {
                String mode = modes.getOrDefault(commitSha, Map.of()).getOrDefault(path, "100644");
                entries.add(new TreeEntry(path, mode, "blob",
                        CodePackageReader.gitBlobId(content.getBytes(StandardCharsets.UTF_8))));
            });
            return entries;
        }

        @Override
        public void postStatus(String repository, String commitSha, CommitStatus status) {
            statuses.add(status);
        }

        @Override
        public CommitRelation compare(String repository, String base, String head) {
            if (unreachable || failing.contains(base + "..." + head) || !commits.containsKey(base) || !commits.containsKey(head)) {
                throw new DeployError.Unavailable("GitHub could not compare " + base + "..." + head + ": HTTP 404", null);
            }
            return base.equals(head) ? CommitRelation.IDENTICAL : behind.contains(base + "..." + head) ? CommitRelation.BEHIND
                    : diverged.contains(base + "..." + head) ? CommitRelation.DIVERGED : CommitRelation.AHEAD;
        }

        @Override
        public Optional<String> branchHead(String repository, String branch) {
            if (unreachable) {
                throw new DeployError.Unavailable("GitHub could not read branch " + branch + ": HTTP 502", null);
            }
            return Optional.ofNullable(heads.getOrDefault(branch, newest));
        }

        @Override
        public byte[] blob(String repository, String blobSha) {
            return commits.values().stream().flatMap(files -> files.values().stream())
                    .map(content -> content.getBytes(StandardCharsets.UTF_8))
                    .filter(bytes -> CodePackageReader.gitBlobId(bytes).equals(blobSha)).findFirst()
                    .orElseThrow(() -> new DeployError.Unavailable("no blob " + blobSha, null));
        }
    }

    public static final class FakeRunRegistry implements RunRegistry {
        public final Map<String, TaggedRun> newest = new HashMap<>();
        public final Map<String, List<String>> addedTags = new HashMap<>();

        @Override
        public Optional<TaggedRun> newestTagged(String flow, String tag) {
            return Optional.ofNullable(newest.get(flow)).filter(r -> r.tags().contains(tag));
        }

        @Override
        public void addTags(String flow, String runId, List<String> tags) {
            addedTags.computeIfAbsent(flow + "/" + runId, k -> new ArrayList<>()).addAll(tags);
        }
    }

    public static final class FakeCodePackageStore implements CodePackageStore {
        public final Map<String, byte[]> objects = new HashMap<>();

        @Override
        public byte[] fetch(String location) {
            byte[] bytes = objects.get(location);
            if (bytes == null) {
                throw new DeployError.Unavailable("no object at " + location, null);
            }
            return bytes;
        }

        @Override
        public String store(String flow, String sha, byte[] archive) {
            String location = "s3://bucket/mf/" + flow + "/data/" + sha.substring(0, 2) + "/" + sha;
            objects.put(location, archive);
            return location;
        }

        @Override
        public String datastoreRoot() {
            return "s3://bucket/mf";
        }

        @Override
        public String verifiedLocation(String flow, String sha1, String sha256) {
            return "s3://bucket/flowgate/verified/" + sha256 + "/" + flow + "/data/" + sha1.substring(0, 2) + "/" + sha1;
        }

        @Override
        public void publishVerified(String location, byte[] archive) {
            objects.put(location, archive.clone());
        }

        @Override
        public String includedFileLocation(String flow, byte[] content) {
            return "s3://bucket/data/" + flow + "/" + java.util.HexFormat.of().formatHex(content).hashCode();
        }

        @Override
        public void storeIncludedFile(String location, byte[] content) {
            objects.put(location, content);
        }
    }

    /**
     * Compiles a flow whose source contains {@code @schedule(cron='…'[, timezone='…'])} and
     * {@code @trigger_on_finish(flow='…')} into a tiny ASL carrying the package.
     */
    public static final class FakeFlowCompiler implements FlowCompiler {
        private static final Pattern SCHEDULE = Pattern.compile("@schedule\\(cron='([^']+)'(?:, timezone='([^']+)')?\\)");
        private static final Pattern TRIGGER = Pattern.compile("@trigger_on_finish\\(flow='([^']+)'\\)");
        private static final Pattern INCLUDE = Pattern.compile("(\\w+) = IncludeFile\\(\"(\\w+)\", default=\"([^\"]+)\"");
        public final List<CompileRequest> requests = new ArrayList<>();

        @Override
        public List<IncludedFile> includedFiles(CompileRequest request, String flowFile) {
            String flowSource = request.flowSource();
            List<IncludedFile> files = new ArrayList<>();
            String directory = flowFile.contains("/") ? flowFile.substring(0, flowFile.lastIndexOf('/') + 1) : "";
            Matcher include = INCLUDE.matcher(flowSource);
            while (include.find()) {
                files.add(new IncludedFile(include.group(2), directory + include.group(3)));
            }
            return files;
        }

        @Override
        public FlowNaming naming(CompileRequest request) {
            Optional<String> project = request.flowSource().contains("@project") ? Optional.of("proj") : Optional.empty();
            return new FlowNaming(project, project.isEmpty() && !request.production() ? Optional.empty()
                    : Optional.of("proj." + request.projectBranch().label() + "." + request.flowName()));
        }

        @Override
        public CompiledFlow compile(CompileRequest request) {
            requests.add(request);
            if (request.flowSource().contains("syntax error")) {
                throw new DeployError.CompileFailed(request.flowName(), "cannot parse " + request.fileName(), null);
            }
            Matcher schedule = SCHEDULE.matcher(request.flowSource());
            String definition = "{\"Comment\":\"" + request.flowName() + "\",\"code\":\"" + request.codePackageUrl()
                    + "\",\"sha\":\"" + request.codePackageSha() + "\",\"StartAt\":\"start\",\"States\":{\"start\":"
                    + "{\"Type\":\"Task\",\"Parameters\":{\"Parameters\":{\"metaflow.production_token\":\""
                    + request.productionToken() + "\",\"metaflow.owner\":\"" + request.owner() + "\"}},\"End\":true}}}";
            Matcher trigger = TRIGGER.matcher(request.flowSource());
            return new CompiledFlow("proj." + request.projectBranch().label() + "." + request.flowName(), definition,
                    schedule.find() ? Optional.of(new Schedule("cron(" + schedule.group(1) + ")", Optional.ofNullable(schedule.group(2))))
                            : Optional.empty(),
                    List.of(new JobDefinition("flowgate_test_" + request.flowName(), "{}")),
                    trigger.find() ? List.of("proj." + request.projectBranch().label() + "." + trigger.group(1)) : List.of());
        }
    }

    public static final class RecordingJobDefinitions implements dev.flowgate.deployer.port.JobDefinitionRegistry {
        public final List<String> registered = new ArrayList<>();

        @Override
        public void register(List<FlowCompiler.JobDefinition> definitions) {
            definitions.forEach(d -> registered.add(d.name()));
        }
    }

    public static final class FakeStateMachineDeployer implements StateMachineDeployer {
        public final Map<String, List<String>> versions = new HashMap<>();
        public final Map<String, Map<String, String>> tags = new HashMap<>();
        public final Map<String, FlowCompiler.Schedule> schedules = new HashMap<>();
        public final Map<String, List<String>> finishTriggers = new HashMap<>();

        @Override
        public DeployedMachine deploy(String name, String definition, Map<String, String> tags, String description) {
            boolean created = !versions.containsKey(name);
            List<String> list = versions.computeIfAbsent(name, k -> new ArrayList<>());
            list.add(definition);
            this.tags.computeIfAbsent(name, k -> new HashMap<>()).putAll(tags);
            String arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + name;
            return new DeployedMachine(arn, arn + ":" + list.size(), created);
        }

        @Override
        public Optional<String> currentDefinition(String name) {
            List<String> list = versions.get(name);
            return list == null ? Optional.empty() : Optional.of(list.get(list.size() - 1));
        }

        @Override
        public boolean undeploy(String name) {
            schedules.remove(name);
            finishTriggers.remove(name);
            return versions.remove(name) != null;
        }

        @Override
        public void schedule(String name, String stateMachineArn, Optional<FlowCompiler.Schedule> schedule) {
            if (schedule.isPresent()) {
                schedules.put(name, schedule.get());
            } else {
                schedules.remove(name);
            }
        }

        @Override
        public void triggerOnFinish(String name, String stateMachineArn, List<String> upstreamStateMachines) {
            if (upstreamStateMachines.isEmpty()) {
                finishTriggers.remove(name);
            } else {
                finishTriggers.put(name, List.copyOf(upstreamStateMachines));
            }
        }
    }

    public static final class RecordingAlertNotifier implements AlertNotifier {
        public final List<DeploymentAlert> alerts = new ArrayList<>();

        @Override
        public void notify(DeploymentAlert alert) {
            alerts.add(alert);
        }
    }
}

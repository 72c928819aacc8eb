package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flowgate.model.limits.MetaflowTags;
import dev.flowgate.model.limits.StepFunctionsLimits;
import dev.flowgate.model.naming.MetaflowNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * {@code flowgate.yaml} at the repository root: the project, its flows (name and file) and package suffixes.
 * <pre>
 * project: fraud_model
 * production_branch: main          # optional
 * package_suffixes: [".py", ".txt"] # optional, default .py .R .RDS (Metaflow's default)
 * alerts: {slack_channel: "#ml-alerts"}
 * flows:
 *   - name: TrainFlow
 *     file: flows/train_flow.py
 *     use_distributed_map: true      # optional: foreach as Distributed Map (default: inline Map)
 *     max_workers: 1000              # optional: foreach splits at once, 1-10000 (default 100)
 *     workflow_timeout: 86400        # optional: seconds an execution may run, 1-31536000 (default: none)
 *     tags: [team:fraud, nightly]    # optional: tags on every run of the deployment (Metaflow's --tag), at most 50
 * </pre>
 */
public record ProjectManifest(String project, Optional<String> productionBranch, List<String> packageSuffixes,
                              Optional<String> alertChannel, List<FlowEntry> flows) {
    public static final String FILE = "flowgate.yaml";
    public static final List<String> DEFAULT_SUFFIXES = List.of(".py", ".R", ".RDS");
    static final String EXAMPLE = "project: my_project\nflows:\n  - name: MyFlow\n    file: flows/my_flow.py";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public ProjectManifest {
        packageSuffixes = List.copyOf(packageSuffixes);
        flows = List.copyOf(flows);
    }

    /**
     * How a flow runs on Step Functions, as {@code step-functions create} options: {@code --use-distributed-map},
     * {@code --max-workers} (0: the default, 100), {@code --workflow-timeout} in seconds (0: none), {@code --tag}
     * (tags on every run, in order).
     */
    public record StepFunctionsOptions(boolean distributedMap, int maxWorkers, int workflowTimeoutSeconds, List<String> tags) {
        public static final StepFunctionsOptions DEFAULT = new StepFunctionsOptions(false, 0, 0);

        public StepFunctionsOptions {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        /** Without tags. */
        public StepFunctionsOptions(boolean distributedMap, int maxWorkers, int workflowTimeoutSeconds) {
            this(distributedMap, maxWorkers, workflowTimeoutSeconds, List.of());
        }
    }

    /** One flow: its FlowSpec class name, the repo-root-relative path of its file and its Step Functions options. */
    public record FlowEntry(String name, String file, StepFunctionsOptions options) {
        public FlowEntry(String name, String file) {
            this(name, file, StepFunctionsOptions.DEFAULT);
        }

        /** The directory the flow file sits in (Metaflow packages this directory), "" for the root. */
        public String directory() {
            int slash = file.lastIndexOf('/');
            return slash < 0 ? "" : file.substring(0, slash);
        }

        public String fileName() {
            return file.substring(file.lastIndexOf('/') + 1);
        }
    }

    public static ProjectManifest missing() {
        throw new DeployError.InvalidManifest(FILE, FILE + " is missing at the repository root; add one, e.g. "
                + EXAMPLE.replace("\n", " | "));
    }

    public static ProjectManifest parse(byte[] yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(new String(yaml, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DeployError.InvalidManifest(FILE, FILE + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new DeployError.InvalidManifest(FILE, FILE + " must be a mapping; e.g. " + EXAMPLE.replace("\n", " | "));
        }
        String project = root.path("project").asText("");
        if (!MetaflowNames.isProjectName(project)) {
            throw new DeployError.InvalidManifest("project", FILE + ": 'project' must be lowercase letters, digits and"
                    + " underscores (the @project name), e.g. 'project: my_project'");
        }
        JsonNode flowsNode = root.path("flows");
        if (!flowsNode.isArray() || flowsNode.isEmpty()) {
            throw new DeployError.InvalidManifest("flows", FILE + ": list the flows to deploy under 'flows:', e.g. "
                    + "'flows: [{name: MyFlow, file: flows/my_flow.py}]'");
        }
        List<FlowEntry> flows = new ArrayList<>();
        for (int i = 0; i < flowsNode.size(); i++) {
            JsonNode flow = flowsNode.get(i);
            String name = flow.path("name").asText("");
            String file = flow.path("file").asText("");
            if (!MetaflowNames.isFlowName(name)) {
                throw new DeployError.InvalidManifest("flows[" + i + "].name", FILE + ": flows[" + i
                        + "].name must be the FlowSpec class name, e.g. 'name: MyFlow'");
            }
            if (!file.endsWith(".py") || file.startsWith("/") || List.of(file.split("/")).contains("..")) {
                throw new DeployError.InvalidManifest("flows[" + i + "].file", FILE + ": flows[" + i
                        + "].file must be the repo-relative path of a .py file, e.g. 'file: flows/my_flow.py'");
            }
            if (flows.stream().anyMatch(f -> f.name().equals(name))) {
                throw new DeployError.InvalidManifest("flows[" + i + "].name", FILE + ": flow " + name + " is listed twice");
            }
            flows.add(new FlowEntry(name, file, stepFunctionsOptions(flow, "flows[" + i + "]")));
        }
        List<String> suffixes = new ArrayList<>();
        JsonNode suffixNode = root.path("package_suffixes");
        if (suffixNode.isArray()) {
            suffixNode.forEach(s -> suffixes.add(s.asText()));
        } else if (!suffixNode.isMissingNode() && !suffixNode.isNull()) {
            throw new DeployError.InvalidManifest("package_suffixes", FILE + ": package_suffixes must be a list, e.g. "
                    + "'package_suffixes: [\".py\", \".txt\"]'");
        }
        if (suffixes.stream().anyMatch(s -> !s.startsWith("."))) {
            throw new DeployError.InvalidManifest("package_suffixes", FILE + ": each package suffix starts with '.'");
        }
        List<String> all = new ArrayList<>(DEFAULT_SUFFIXES);
        suffixes.stream().filter(s -> !all.contains(s)).forEach(all::add);
        return new ProjectManifest(project,
                Optional.ofNullable(root.path("production_branch").textValue()),
                all,
                Optional.ofNullable(root.path("alerts").path("slack_channel").textValue()).filter(s -> !s.isBlank()),
                flows);
    }

    private static StepFunctionsOptions stepFunctionsOptions(JsonNode flow, String path) {
        JsonNode distributed = flow.path("use_distributed_map");
        if (!distributed.isMissingNode() && !distributed.isNull() && !distributed.isBoolean()) {
            throw new DeployError.InvalidManifest(path + ".use_distributed_map", FILE + ": " + path
                    + ".use_distributed_map must be true or false, e.g. 'use_distributed_map: true'");
        }
        int maxWorkers = limit(flow, path, "max_workers", StepFunctionsLimits::maxWorkers, "max_workers: 1000");
        int timeout = limit(flow, path, "workflow_timeout", StepFunctionsLimits::workflowTimeoutSeconds, "workflow_timeout: 86400");
        return new StepFunctionsOptions(distributed.asBoolean(false), maxWorkers, timeout, tags(flow, path));
    }

    /** {@code tags:} a list of strings, checked as Metaflow's {@code step-functions create --tag} checks them. */
    private static List<String> tags(JsonNode flow, String path) {
        JsonNode value = flow.path("tags");
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        String example = "; e.g. 'tags: [team:fraud, nightly]'";
        if (!value.isArray()) {
            throw new DeployError.InvalidManifest(path + ".tags", FILE + ": " + path + ".tags must be a list of tags" + example);
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : value) {
            if (!tag.isTextual()) {
                throw new DeployError.InvalidManifest(path + ".tags", FILE + ": " + path + ".tags: each tag is a string"
                        + " (quote numbers and true/false), got " + tag + example);
            }
            tags.add(tag.asText());
        }
        try {
            return MetaflowTags.validate(tags);
        } catch (IllegalArgumentException e) {
            throw new DeployError.InvalidManifest(path + ".tags", FILE + ": " + path + ".tags: " + e.getMessage() + example);
        }
    }

    private static int limit(JsonNode flow, String path, String field, ToIntFunction<String> parse, String example) {
        JsonNode value = flow.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return 0;
        }
        try {
            if (!value.isValueNode()) {
                throw new IllegalArgumentException("it must be a number");
            }
            return parse.applyAsInt(value.asText());
        } catch (IllegalArgumentException e) {
            throw new DeployError.InvalidManifest(path + "." + field, FILE + ": " + path + "." + field + ": " + e.getMessage()
                    + "; e.g. '" + example + "'");
        }
    }

    public Optional<FlowEntry> flow(String name) {
        return flows.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}

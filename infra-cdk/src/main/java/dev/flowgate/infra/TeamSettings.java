package dev.flowgate.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One team account's settings ({@code infra-cdk/teams/<team>.json}), checked before anything is synthesized:
 * a missing or malformed key fails with a message naming it.
 */
public record TeamSettings(String team, String account, String region, String resourcePrefix,
                           Optional<String> existingVpcId, String vpcCidr, int maxAzs, int expireNoncurrentAfterDays,
                           int fsxStorageGiB, int fsxThroughput, String fsxMountPath, String fsxImportPath,
                           String amiSsmParameter, Optional<String> hardenedAmiId, List<String> onDemandInstanceTypes, List<String> spotInstanceTypes,
                           String efaInstanceType, int onDemandMaxVcpus, int spotMaxVcpus, int efaMaxVcpus,
                           int apiRate, int apiBurst, List<String> repositories, String jenkinsRoleName,
                           String defaultSlackChannel, String metadataApiAsset, String deployerAsset, String alerterAsset,
                           MetadataCallers metadataCallers) {

    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov)?-[a-z]+-[0-9]");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern REPOSITORY_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9_./@+-]{1,200}");
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_./@+*-]{1,200}");
    private static final Pattern REPOSITORY_ENTRY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(:[A-Za-z0-9_./@+-]{1,200})?");
    private static final Pattern AMI = Pattern.compile("ami-([0-9a-f]{8}|[0-9a-f]{17})");
    private static final Pattern CALLER = Pattern.compile("[^,\\s]{1,2048}");

    public static TeamSettings load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidSettings("teams file", "cannot read " + file + ": " + e.getMessage());
        }
    }

    public static TeamSettings parse(String json) {
        JsonNode root;
        try {
            root = FlowgateJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettings("teams file", e.getMessage());
        }
        Reader r = new Reader(root);
        TeamSettings settings = new TeamSettings(
                r.text("team", NAME), r.text("account", ACCOUNT), r.text("region", REGION), r.text("resourcePrefix", NAME),
                r.optionalText("vpc.existingVpcId"), r.text("vpc.cidr", Pattern.compile("[0-9.]+/[0-9]{1,2}")),
                r.integer("vpc.maxAzs", 1, 6), r.integer("datastore.expireNoncurrentAfterDays", 1, 3650),
                r.integer("fsx.storageCapacityGiB", 1200, 1_000_000), r.integer("fsx.perUnitStorageThroughput", 125, 1000),
                r.text("fsx.mountPath", Pattern.compile("/[A-Za-z0-9/_-]*")), r.text("fsx.importPath", Pattern.compile("[A-Za-z0-9/_.-]*")),
                r.text("batch.amiSsmParameter", Pattern.compile("/.+")), r.optionalAmi("batch.hardenedAmiId"),
                r.list("batch.onDemandInstanceTypes"), r.list("batch.spotInstanceTypes"), r.efaInstanceType("batch.efaInstanceType"),
                r.integer("batch.maxVcpus.onDemand", 1, 100_000), r.integer("batch.maxVcpus.spot", 1, 100_000),
                r.integer("batch.maxVcpus.efa", 1, 100_000), r.integer("metadataApi.throttleRatePerSecond", 1, 10_000),
                r.integer("metadataApi.throttleBurst", 1, 5_000), r.repositories("deployment.repositories"),
                r.text("deployment.jenkinsRoleName", Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}")),
                r.text("alerts.defaultSlackChannel", Pattern.compile("#[a-z0-9][a-z0-9_-]{0,79}")),
                r.text("lambdaAssets.metadataApi", Pattern.compile(".+")), r.text("lambdaAssets.deployer", Pattern.compile(".+")),
                r.text("lambdaAssets.alerter", Pattern.compile(".+")),
                new MetadataCallers(r.optionalNames("metadataApi.productionCallers"),
                        Optional.of(r.optionalNames("metadataApi.gateTaggers")).filter(l -> !l.isEmpty())));
        r.failIfProblems();
        return settings;
    }

    /** A settings key is missing or has a bad value; {@link #key()} names it. */
    public static final class InvalidSettings extends IllegalArgumentException {
        private final String key;

        public InvalidSettings(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private static final class Reader {
        private final JsonNode root;
        private final List<String> problems = new ArrayList<>();
        private String firstKey;

        Reader(JsonNode root) {
            this.root = root;
        }

        JsonNode at(String key) {
            JsonNode node = root;
            for (String part : key.split("\\.")) {
                node = node.path(part);
            }
            return node;
        }

        String text(String key, Pattern pattern) {
            JsonNode node = at(key);
            if (!node.isTextual() || !pattern.matcher(node.asText()).matches()) {
                problem(key, node.isMissingNode() || node.isNull() ? key + " is required"
                        : key + " has an invalid value '" + node.asText() + "' (expected " + pattern.pattern() + ")");
                return "";
            }
            return node.asText();
        }

        Optional<String> optionalText(String key) {
            JsonNode node = at(key);
            return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
        }

        /** An AMI id the team bakes itself (hardened); absent or null = the ECS-optimized AMI of the SSM parameter. */
        Optional<String> optionalAmi(String key) {
            Optional<String> value = optionalText(key);
            if (value.isPresent() && !AMI.matcher(value.get()).matches()) {
                problem(key, key + " must be an AMI id (ami- and 8 or 17 hex digits), got '" + value.get() + "'");
            }
            return value;
        }

        /** An instance type whose EFA interface count {@link EfaInterfaces} knows. */
        String efaInstanceType(String key) {
            String type = text(key, Pattern.compile("[a-z0-9]+\\.[a-z0-9]+"));
            if (!type.isEmpty() && EfaInterfaces.of(type).isEmpty()) {
                problem(key, key + " '" + type + "' is not in the EFA table (EfaInterfaces): one of "
                        + String.join(", ", EfaInterfaces.BY_INSTANCE_TYPE.keySet()));
            }
            return type;
        }

        int integer(String key, int min, int max) {
            JsonNode node = at(key);
            if (!node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
                problem(key, key + " must be a whole number from " + min + " to " + max
                        + (node.isMissingNode() ? " (it is missing)" : ", got " + node));
                return min;
            }
            return node.asInt();
        }

        /**
         * The deployer's {@code FLOWGATE_REPOSITORIES} entries: each item a string {@code owner/repo[:branch]} or an
         * object {@code {"name": "owner/repo", "productionBranch": "main", "experimentalBranches": ["feature/*"]}};
         * experimental branches are an explicit opt-in per repository (none when the key is absent).
         */
        List<String> repositories(String key) {
            JsonNode node = at(key);
            List<String> entries = new ArrayList<>();
            if (!node.isArray() || node.isEmpty()) {
                problem(key, key + " must be a non-empty list of repositories");
                return entries;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String at = key + "[" + i + "]";
                if (item.isTextual()) {
                    if (!REPOSITORY_ENTRY.matcher(item.asText()).matches()) {
                        problem(at, at + " must be owner/repo or owner/repo:branch, got '" + item.asText() + "'");
                    }
                    entries.add(item.asText());
                    continue;
                }
                String name = item.path("name").asText("");
                String branch = item.path("productionBranch").asText("main");
                if (!REPOSITORY_NAME.matcher(name).matches()) {
                    problem(at + ".name", at + ".name must be owner/repo, got '" + name + "'");
                }
                if (!BRANCH.matcher(branch).matches()) {
                    problem(at + ".productionBranch", at + ".productionBranch is not a branch name: '" + branch + "'");
                }
                List<String> globs = new ArrayList<>();
                JsonNode experimental = item.path("experimentalBranches");
                if (!experimental.isMissingNode() && !(experimental.isArray() && !experimental.isEmpty())) {
                    problem(at + ".experimentalBranches", at + ".experimentalBranches must be a non-empty list of branch globs"
                            + " (leave it out for production only)");
                }
                experimental.forEach(g -> {
                    if (!GLOB.matcher(g.asText()).matches()) {
                        problem(at + ".experimentalBranches", at + ".experimentalBranches: '" + g.asText()
                                + "' may hold letters, digits and _ . / @ + - *");
                    }
                    globs.add(g.asText());
                });
                entries.add(name + ":" + branch + (globs.isEmpty() ? "" : ":experimental=" + String.join("|", globs)));
            }
            return entries;
        }

        List<String> list(String key) {
            JsonNode node = at(key);
            List<String> values = new ArrayList<>();
            if (!node.isArray() || node.isEmpty()) {
                problem(key, key + " must be a non-empty list of strings");
                return values;
            }
            node.forEach(v -> values.add(v.asText()));
            return values;
        }

        /** An optional list of caller names (no commas: the function reads them comma-separated). */
        List<String> optionalNames(String key) {
            JsonNode node = at(key);
            List<String> values = new ArrayList<>();
            if (node.isMissingNode() || node.isNull()) {
                return values;
            }
            if (!node.isArray()) {
                problem(key, key + " must be a list of caller names");
                return values;
            }
            for (JsonNode v : node) {
                if (!v.isTextual() || !CALLER.matcher(v.asText()).matches()) {
                    problem(key, key + " has an invalid caller name " + v + " (expected " + CALLER.pattern() + ")");
                } else {
                    values.add(v.asText());
                }
            }
            return values;
        }

        void problem(String key, String message) {
            if (firstKey == null) {
                firstKey = key;
            }
            problems.add(message);
        }

        void failIfProblems() {
            if (!problems.isEmpty()) {
                throw new InvalidSettings(firstKey, "invalid team settings: " + String.join("; ", problems));
            }
        }
    }
}

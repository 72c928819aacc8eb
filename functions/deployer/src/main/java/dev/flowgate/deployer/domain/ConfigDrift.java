package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Config values a package carries ({@code user_configs} of {@code .mf_meta/CONFIG}, v0: of the root {@code INFO},
 * {@code CONFIG} or {@code CONFIG_PARAMETERS}) against the values resolved from git at the commit. The package's copy is
 * never trusted: any value that differs (or exists on one side only) refuses the package, naming the Config; the deploy
 * compiles with the git-resolved values.
 */
public final class ConfigDrift {
    private ConfigDrift() {
    }

    /** name → value as JSON, from the package; a value is {@code [value, plain]} in Metaflow 2.19. */
    public static Map<String, JsonNode> packageValues(CodePackageInventory inventory, List<Unaccounted> problems) {
        Map<String, JsonNode> values = new TreeMap<>();
        List<String> sources = inventory.layoutVersion() == 1 ? List.of(CodePackageInventory.META_DIR + "CONFIG")
                : List.of("INFO", "CONFIG", "CONFIG_PARAMETERS");
        for (String source : sources) {
            if (!inventory.metaContent().containsKey(source)) {
                continue;
            }
            var json = inventory.json(source);
            if (json.isEmpty() || !json.get().isObject()) {
                problems.add(new Unaccounted(source, MemberClass.META.wireName(), "not readable JSON"));
                continue;
            }
            json.get().path("user_configs").fields().forEachRemaining(e ->
                    values.put(e.getKey(), e.getValue().isArray() ? e.getValue().path(0) : e.getValue()));
        }
        return values;
    }

    /** One entry per Config whose package value differs from git's. */
    public static List<Unaccounted> check(CodePackageInventory inventory, Map<String, String> gitValues) {
        List<Unaccounted> problems = new ArrayList<>();
        Map<String, JsonNode> packaged = packageValues(inventory, problems);
        String member = inventory.layoutVersion() == 1 ? CodePackageInventory.META_DIR + "CONFIG" : "INFO";
        TreeSet<String> names = new TreeSet<>(packaged.keySet());
        names.addAll(gitValues.keySet());
        for (String name : names) {
            JsonNode fromPackage = packaged.get(name);
            JsonNode fromGit = gitValues.containsKey(name) ? parse(gitValues.get(name)) : null;
            if (fromPackage == null || !fromPackage.equals(fromGit)) {
                problems.add(new Unaccounted(member, MemberClass.META.wireName(), "Config '" + name + "' is "
                        + (fromPackage == null ? "missing" : abbreviate(fromPackage.toString())) + " in the package but "
                        + (fromGit == null ? "not resolvable" : abbreviate(fromGit.toString()))
                        + " from git at the commit; make the prod_ready run with the committed Config (no --config override)"));
            }
        }
        return problems;
    }

    private static JsonNode parse(String json) {
        try {
            return FlowgateJson.parse(json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}

package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which repositories and branches may deploy, fail closed. {@code FLOWGATE_REPOSITORIES} is a comma-separated list of
 * entries {@code owner/repo[:production-branch[:experimental=GLOB|GLOB...]]}:
 * <ul>
 *   <li>{@code acme/ml} — only {@code main} deploys, to production;</li>
 *   <li>{@code acme/ml:release} — only {@code release} deploys, to production;</li>
 *   <li>{@code acme/ml:main:experimental=feature/*|exp-*} — {@code main} to production, and branches matching one
 *       of the globs ({@code *} matches any characters, {@code /} included) deploy experimentally, each to state
 *       machines of its own (only flows with {@code @project}; see {@link DeploymentPipeline}).</li>
 * </ul>
 * Nothing else deploys: experimental branches are an explicit per-repository opt-in. The old global
 * {@code FLOWGATE_EXPERIMENTAL_BRANCHES} is refused at start ({@link #refuseGlobalExperimentalSetting}).
 */
public final class RepositoryPolicy {
    public static final String SETTING = "FLOWGATE_REPOSITORIES";
    public static final String RETIRED_SETTING = "FLOWGATE_EXPERIMENTAL_BRANCHES";
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    /** What git allows in a branch name that also keeps the setting parseable (no ':' '|' ',' or spaces). */
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9_./@+-]{1,200}");
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_./@+*-]{1,200}");
    private static final String EXPERIMENTAL = "experimental=";

    private final Map<String, Rule> rules;

    private record Rule(String productionBranch, List<String> experimentalGlobs, List<Pattern> experimental) {
    }

    private RepositoryPolicy(Map<String, Rule> rules) {
        this.rules = Map.copyOf(rules);
    }

    /** @throws IllegalArgumentException naming the entry and what to write instead */
    public static RepositoryPolicy parse(String repositories) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (String entry : repositories == null ? new String[0] : repositories.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split(":", -1);
            String repo = parts[0];
            String branch = parts.length > 1 ? parts[1] : "main";
            if (!REPOSITORY.matcher(repo).matches() || !BRANCH.matcher(branch).matches() || parts.length > 3) {
                throw invalid(trimmed, "must be owner/repo, owner/repo:branch or owner/repo:branch:experimental=GLOB|GLOB");
            }
            List<String> globs = new ArrayList<>();
            if (parts.length == 3) {
                if (!parts[2].startsWith(EXPERIMENTAL) || parts[2].length() == EXPERIMENTAL.length()) {
                    throw invalid(trimmed, "the third part must be experimental=GLOB|GLOB, e.g. experimental=feature/*|exp-*");
                }
                for (String glob : parts[2].substring(EXPERIMENTAL.length()).split("\\|", -1)) {
                    if (!GLOB.matcher(glob).matches()) {
                        throw invalid(trimmed, "experimental branch glob '" + glob + "' may hold letters, digits and _ . / @ + - *");
                    }
                    globs.add(glob);
                }
            }
            String key = repo.toLowerCase(Locale.ROOT);
            if (rules.containsKey(key)) {
                throw invalid(trimmed, "repository " + repo + " is listed twice");
            }
            rules.put(key, new Rule(branch, List.copyOf(globs), globs.stream().map(RepositoryPolicy::glob).toList()));
        }
        return new RepositoryPolicy(rules);
    }

    /** The global glob setting opened every branch of every repository; it is not read any more, and refused. */
    public static void refuseGlobalExperimentalSetting(Optional<String> value) {
        if (value.isPresent() && !value.get().isBlank()) {
            throw new IllegalArgumentException(RETIRED_SETTING + " is no longer read: experimental branches are opted in"
                    + " per repository, e.g. " + SETTING + "=acme/ml-flows:main:experimental=feature/*|exp-*; unset "
                    + RETIRED_SETTING);
        }
    }

    private static IllegalArgumentException invalid(String entry, String why) {
        return new IllegalArgumentException(SETTING + " entry '" + entry + "' " + why);
    }

    /** What a push to {@code branch} of {@code repository} deploys, or empty when it is not accepted. */
    public Optional<Target> target(String repository, String branch) {
        Rule rule = rules.get(repository.toLowerCase(Locale.ROOT));
        if (rule == null) {
            return Optional.empty();
        }
        if (rule.productionBranch().equals(branch)) {
            return Optional.of(Target.PRODUCTION);
        }
        return rule.experimental().stream().anyMatch(p -> p.matcher(branch).matches())
                ? Optional.of(Target.EXPERIMENTAL) : Optional.empty();
    }

    /** Why {@link #target} is empty, as a message naming the setting that would change it. */
    public String refusal(String repository, String branch) {
        Rule rule = rules.get(repository.toLowerCase(Locale.ROOT));
        if (rule == null) {
            return "repository " + repository + " is not configured for deployment (" + SETTING + ")";
        }
        return "branch " + branch + " of " + repository + " is not configured to deploy: production is "
                + rule.productionBranch() + (rule.experimentalGlobs().isEmpty()
                ? " and no experimental branches are allowed (opt in with " + SETTING + "=" + repository + ":"
                + rule.productionBranch() + ":experimental=<glob>)"
                : ", experimental branches are " + String.join("|", rule.experimentalGlobs()));
    }

    public boolean knows(String repository) {
        return rules.containsKey(repository.toLowerCase(Locale.ROOT));
    }

    public String productionBranch(String repository) {
        Rule rule = rules.get(repository.toLowerCase(Locale.ROOT));
        return rule == null ? "main" : rule.productionBranch();
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    /** Production (the configured branch) or an experimental deployment of another branch. */
    public enum Target { PRODUCTION, EXPERIMENTAL }
}

package dev.flowgate.deployer.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which repositories and branches may deploy. Configured as {@code FLOWGATE_REPOSITORIES}: a comma-separated
 * list of {@code owner/repo} or {@code owner/repo:production-branch} (default branch {@code main}); and
 * {@code FLOWGATE_EXPERIMENTAL_BRANCHES}: comma-separated globs of other branches that make experimental
 * deployments ({@code *} = all, the default; {@code none} = no experimental deployments).
 */
public final class RepositoryPolicy {
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private final Map<String, String> productionBranches;
    private final List<Pattern> experimental;

    public RepositoryPolicy(Map<String, String> productionBranches, List<String> experimentalGlobs) {
        Map<String, String> lower = new LinkedHashMap<>();
        productionBranches.forEach((repo, branch) -> lower.put(repo.toLowerCase(Locale.ROOT), branch));
        this.productionBranches = Map.copyOf(lower);
        this.experimental = experimentalGlobs.stream().map(RepositoryPolicy::glob).toList();
    }

    public static RepositoryPolicy parse(String repositories, String experimentalBranches) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : repositories == null ? new String[0] : repositories.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            String repo = colon < 0 ? trimmed : trimmed.substring(0, colon);
            String branch = colon < 0 ? "main" : trimmed.substring(colon + 1);
            if (!REPOSITORY.matcher(repo).matches() || branch.isBlank()) {
                throw new IllegalArgumentException("FLOWGATE_REPOSITORIES entry '" + trimmed
                        + "' must be owner/repo or owner/repo:branch");
            }
            map.put(repo, branch);
        }
        String globs = experimentalBranches == null || experimentalBranches.isBlank() ? "*" : experimentalBranches;
        List<String> list = "none".equals(globs.trim()) ? List.of()
                : List.of(globs.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new RepositoryPolicy(map, list);
    }

    /** What a push to {@code branch} of {@code repository} deploys, or empty when it is not accepted. */
    public Optional<Target> target(String repository, String branch) {
        String production = productionBranches.get(repository.toLowerCase(Locale.ROOT));
        if (production == null) {
            return Optional.empty();
        }
        if (production.equals(branch)) {
            return Optional.of(Target.PRODUCTION);
        }
        return experimental.stream().anyMatch(p -> p.matcher(branch).matches())
                ? Optional.of(Target.EXPERIMENTAL) : Optional.empty();
    }

    public boolean knows(String repository) {
        return productionBranches.containsKey(repository.toLowerCase(Locale.ROOT));
    }

    public String productionBranch(String repository) {
        return productionBranches.getOrDefault(repository.toLowerCase(Locale.ROOT), "main");
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

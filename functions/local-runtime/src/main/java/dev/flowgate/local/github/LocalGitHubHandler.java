package dev.flowgate.local.github;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of GitHub's REST API the deployer uses, served from local git repositories
 * ({@code FLOWGATE_LOCAL_GIT_ROOT/<owner>/<repo>}), so the whole deploy journey runs on one machine with the
 * production GitHub adapter unchanged (only its base URL points here). Mounted at {@code /local/github}:
 * <ul>
 *   <li>{@code GET /repos/{o}/{r}/commits/{ref}} — the commit a ref names;</li>
 *   <li>{@code GET /repos/{o}/{r}/compare/{base}...{head}} — {@code status} identical/ahead/behind/diverged,
 *       {@code ahead_by}, {@code behind_by}, {@code merge_base_commit}, from the repository's history;</li>
 *   <li>{@code GET /repos/{o}/{r}/git/ref/heads/{branch}} and {@code GET /repos/{o}/{r}/branches/{branch}} — where a
 *       branch points;</li>
 *   <li>{@code GET /repos/{o}/{r}/git/trees/{sha}[?recursive=1]} — tree entries with git blob ids;</li>
 *   <li>{@code GET /repos/{o}/{r}/git/blobs/{sha}} — base64 content;</li>
 *   <li>{@code GET /repos/{o}/{r}/contents/{path}?ref=} — a file (JSON, or raw bytes with the raw media type);</li>
 *   <li>{@code POST /repos/{o}/{r}/statuses/{sha}} and {@code GET /repos/{o}/{r}/commits/{ref}/statuses} —
 *       commit statuses, kept in memory, with GitHub's 140-character description limit.</li>
 * </ul>
 */
public final class LocalGitHubHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    public static final String MOUNT = "/local/github";
    private static final Pattern REPO_PATH = Pattern.compile("^/repos/([^/]+)/([^/]+)/(.+)$");
    private static final Set<String> STATES = Set.of("error", "failure", "pending", "success");

    private final GitRepositories repositories;
    private final Map<String, List<Map<String, Object>>> statuses = new ConcurrentHashMap<>();

    public LocalGitHubHandler(Path gitRoot) {
        this.repositories = new GitRepositories(gitRoot);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        String path = event.getPath().startsWith(MOUNT) ? event.getPath().substring(MOUNT.length()) : event.getPath();
        Matcher matcher = REPO_PATH.matcher(path);
        if (!matcher.matches()) {
            return json(404, Map.of("message", "Not Found"));
        }
        String owner = matcher.group(1);
        String repo = matcher.group(2);
        String rest = matcher.group(3);
        Optional<Path> repository = repositories.repository(owner, repo);
        if (repository.isEmpty()) {
            return json(404, Map.of("message", "Not Found", "documentation_url", "repository " + owner + "/" + repo
                    + " is not under FLOWGATE_LOCAL_GIT_ROOT"));
        }
        String method = event.getHttpMethod();
        Map<String, String> query = event.getQueryStringParameters() == null ? Map.of() : event.getQueryStringParameters();
        String[] parts = rest.split("/", 3);
        if ("GET".equals(method) && parts[0].equals("commits") && parts.length == 3 && parts[2].equals("statuses")) {
            return commitStatuses(repository.get(), owner, repo, parts[1]);
        }
        if ("GET".equals(method) && parts[0].equals("commits") && parts.length == 2) {
            return commit(repository.get(), parts[1]);
        }
        if ("GET".equals(method) && rest.startsWith("compare/")) {
            return compare(repository.get(), owner, repo, rest.substring("compare/".length()));
        }
        if ("GET".equals(method) && rest.startsWith("git/ref/heads/")) {
            return ref(repository.get(), owner, repo, rest.substring("git/ref/heads/".length()));
        }
        if ("GET".equals(method) && rest.startsWith("branches/")) {
            return branch(repository.get(), owner, repo, rest.substring("branches/".length()));
        }
        if ("GET".equals(method) && rest.startsWith("git/trees/")) {
            return tree(repository.get(), rest.substring("git/trees/".length()), "1".equals(query.get("recursive")));
        }
        if ("GET".equals(method) && rest.startsWith("git/blobs/")) {
            return blob(repository.get(), rest.substring("git/blobs/".length()));
        }
        if ("GET".equals(method) && rest.startsWith("contents/")) {
            String accept = header(event, "Accept");
            return contents(repository.get(), rest.substring("contents/".length()), query.getOrDefault("ref", "HEAD"),
                    accept != null && accept.contains("raw"));
        }
        if ("POST".equals(method) && parts[0].equals("statuses") && parts.length == 2) {
            return createStatus(repository.get(), owner, repo, parts[1], event.getBody());
        }
        return json(404, Map.of("message", "Not Found"));
    }

    /** Commit statuses posted so far for {@code owner/repo@sha}, oldest first (for tests and the demo). */
    public List<Map<String, Object>> statuses(String owner, String repo, String sha) {
        return List.copyOf(statuses.getOrDefault(owner + "/" + repo + "@" + sha, List.of()));
    }

    private APIGatewayProxyResponseEvent commit(Path repository, String ref) {
        Optional<String> sha = repositories.resolve(repository, ref, "^{commit}");
        if (sha.isEmpty()) {
            return json(422, Map.of("message", "No commit found for SHA: " + ref));
        }
        String tree = repositories.resolve(repository, sha.get(), "^{tree}").orElseThrow();
        return json(200, Map.of("sha", sha.get(), "commit", Map.of("tree", Map.of("sha", tree))));
    }

    /**
     * GitHub's compare ({@code base...head}): {@code status} {@code identical|ahead|behind|diverged} with
     * {@code ahead_by} (commits on head only) and {@code behind_by} (on base only), from the repository's history; 404
     * for an unknown commit or unrelated histories, as GitHub answers.
     */
    private APIGatewayProxyResponseEvent compare(Path repository, String owner, String repo, String range) {
        int dots = range.indexOf("...");
        if (dots <= 0 || range.indexOf("...", dots + 3) >= 0) {
            return json(404, Map.of("message", "Not Found"));
        }
        Optional<String> base = repositories.resolve(repository, range.substring(0, dots), "^{commit}");
        Optional<String> head = repositories.resolve(repository, range.substring(dots + 3), "^{commit}");
        if (base.isEmpty() || head.isEmpty()) {
            return json(404, Map.of("message", "Not Found"));
        }
        Optional<String> mergeBase = repositories.mergeBase(repository, base.get(), head.get());
        if (mergeBase.isEmpty()) {
            return json(404, Map.of("message", "No common ancestor between " + base.get() + " and " + head.get() + "."));
        }
        long ahead = repositories.commitsBetween(repository, base.get(), head.get());
        long behind = repositories.commitsBetween(repository, head.get(), base.get());
        String status = ahead == 0 && behind == 0 ? "identical" : behind == 0 ? "ahead" : ahead == 0 ? "behind" : "diverged";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", apiUrl(owner, repo, "compare/" + range));
        body.put("status", status);
        body.put("ahead_by", ahead);
        body.put("behind_by", behind);
        body.put("total_commits", ahead);
        body.put("base_commit", Map.of("sha", base.get()));
        body.put("merge_base_commit", Map.of("sha", mergeBase.get()));
        body.put("commits", List.of());
        body.put("files", List.of());
        return json(200, body);
    }

    /** GitHub's {@code git/ref/heads/{branch}}: the exact ref or 404 (the singular route does no prefix matching). */
    private APIGatewayProxyResponseEvent ref(Path repository, String owner, String repo, String branch) {
        return repositories.branchHead(repository, branch)
                .map(sha -> json(200, Map.of("ref", "refs/heads/" + branch, "node_id", "local",
                        "url", apiUrl(owner, repo, "git/refs/heads/" + branch),
                        "object", Map.of("sha", sha, "type", "commit", "url", apiUrl(owner, repo, "git/commits/" + sha)))))
                .orElseGet(() -> json(404, Map.of("message", "Not Found")));
    }

    /** GitHub's {@code branches/{branch}}: its name and head commit, or 404 "Branch not found". */
    private APIGatewayProxyResponseEvent branch(Path repository, String owner, String repo, String branch) {
        return repositories.branchHead(repository, branch)
                .map(sha -> json(200, Map.of("name", branch, "protected", false,
                        "commit", Map.of("sha", sha, "url", apiUrl(owner, repo, "commits/" + sha)))))
                .orElseGet(() -> json(404, Map.of("message", "Branch not found")));
    }

    private static String apiUrl(String owner, String repo, String rest) {
        return MOUNT + "/repos/" + owner + "/" + repo + "/" + rest;
    }

    private APIGatewayProxyResponseEvent tree(Path repository, String ref, boolean recursive) {
        Optional<String> treeSha = repositories.resolve(repository, ref, "^{tree}");
        if (treeSha.isEmpty()) {
            return json(404, Map.of("message", "Not Found"));
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (GitRepositories.TreeEntry entry : repositories.tree(repository, treeSha.get(), recursive)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("path", entry.path());
            item.put("mode", entry.mode());
            item.put("type", entry.type());
            item.put("sha", entry.sha());
            if (entry.size() != null) {
                item.put("size", entry.size());
            }
            entries.add(item);
        }
        return json(200, Map.of("sha", treeSha.get(), "tree", entries, "truncated", false));
    }

    private APIGatewayProxyResponseEvent blob(Path repository, String sha) {
        return repositories.blob(repository, sha)
                .map(bytes -> json(200, Map.of("sha", sha, "size", bytes.length, "encoding", "base64",
                        "content", Base64.getEncoder().encodeToString(bytes))))
                .orElseGet(() -> json(404, Map.of("message", "Not Found")));
    }

    private APIGatewayProxyResponseEvent contents(Path repository, String path, String ref, boolean raw) {
        Optional<String> commit = repositories.resolve(repository, ref, "^{commit}");
        if (commit.isEmpty() || path.contains("..")) {
            return json(404, Map.of("message", "Not Found"));
        }
        String directory = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (repositories.resolve(repository, commit.get() + ":" + directory, "").isEmpty()) {
            return json(404, Map.of("message", "Not Found"));
        }
        Optional<GitRepositories.TreeEntry> entry = repositories.tree(repository, commit.get() + ":" + directory, false).stream()
                .filter(e -> e.path().equals(name) && e.type().equals("blob")).findFirst();
        if (entry.isEmpty()) {
            return json(404, Map.of("message", "Not Found"));
        }
        byte[] bytes = repositories.blob(repository, entry.get().sha()).orElseThrow();
        if (raw) {
            return new APIGatewayProxyResponseEvent().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "application/vnd.github.raw"))
                    .withIsBase64Encoded(true).withBody(Base64.getEncoder().encodeToString(bytes));
        }
        return json(200, Map.of("type", "file", "encoding", "base64", "size", bytes.length, "name", name, "path", path,
                "sha", entry.get().sha(), "content", Base64.getEncoder().encodeToString(bytes)));
    }

    private APIGatewayProxyResponseEvent createStatus(Path repository, String owner, String repo, String sha, String body) {
        Optional<String> commit = repositories.resolve(repository, sha, "^{commit}");
        if (commit.isEmpty()) {
            return json(422, Map.of("message", "No commit found for SHA: " + sha));
        }
        JsonNode request;
        try {
            request = FlowgateJson.parse(body);
        } catch (IllegalArgumentException e) {
            return json(400, Map.of("message", "Problems parsing JSON"));
        }
        String state = request.path("state").asText("");
        String description = request.path("description").asText("");
        if (!STATES.contains(state)) {
            return json(422, Map.of("message", "Validation Failed", "errors", List.of(Map.of("field", "state", "code", "invalid"))));
        }
        if (description.length() > 140) {
            return json(422, Map.of("message", "Validation Failed", "errors", List.of(Map.of("field", "description",
                    "code", "custom", "message", "description is too long (maximum is 140 characters)"))));
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state);
        status.put("description", description);
        status.put("target_url", request.path("target_url").isTextual() ? request.get("target_url").asText() : null);
        status.put("context", request.path("context").asText("default"));
        status.put("created_at", Instant.now().toString());
        statuses.computeIfAbsent(owner + "/" + repo + "@" + commit.get(), k -> new CopyOnWriteArrayList<>()).add(status);
        return json(201, status);
    }

    private APIGatewayProxyResponseEvent commitStatuses(Path repository, String owner, String repo, String ref) {
        Optional<String> commit = repositories.resolve(repository, ref, "^{commit}");
        if (commit.isEmpty()) {
            return json(404, Map.of("message", "Not Found"));
        }
        List<Map<String, Object>> newestFirst = new ArrayList<>(statuses(owner, repo, commit.get()));
        java.util.Collections.reverse(newestFirst);
        return json(200, newestFirst);
    }

    private static String header(APIGatewayProxyRequestEvent event, String name) {
        if (event.getHeaders() == null) {
            return null;
        }
        return event.getHeaders().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private static APIGatewayProxyResponseEvent json(int status, Object body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json; charset=utf-8"))
                .withBody(FlowgateJson.write(body));
    }
}

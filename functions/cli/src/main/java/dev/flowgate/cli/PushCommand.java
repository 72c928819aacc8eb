package dev.flowgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.ProjectManifest;
import dev.flowgate.deployer.domain.WebhookSignature;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code flowgate push [--branch B]}: what {@code git push} to GitHub does for a Flowgate repository, against the
 * local platform. It commits nothing: it makes the current repository's HEAD known to the local GitHub stand-in (a bare
 * copy under FLOWGATE_LOCAL_GIT_ROOT, unless the repository already lives there), sends the push webhook GitHub would
 * send (payload shape, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 with the platform's webhook secret), and
 * follows the deployment through its commit statuses to the end, stage by stage.
 */
final class PushCommand {
    static final String USAGE = """
            usage: flowgate push [--branch BRANCH] [--repository OWNER/REPO] [--timeout SECONDS] [--no-wait] [--debug]
              Sends the push of this repository's HEAD to the local platform, as GitHub would, and follows the
              deployment to its end. Commits nothing: commit first (git add . && git commit).
              --branch       the branch pushed (default: the current branch)
              --repository   OWNER/REPO (default: from the 'origin' remote, https or ssh form; else the one
                             repository of FLOWGATE_REPOSITORIES)
              --timeout      how long to follow the deployment (default 600 s); --no-wait: do not follow
              Needs the settings of eval "$(scripts/flowgate env)" (FLOWGATE_LOCAL_URL, the emulator).
              Exit 0 when every flow deployed (or already was), 1 when refused, 2 for bad usage.
            """;
    private static final String ZERO = "0".repeat(40);
    private static final Set<String> WHOLE_PUSH_CONTEXTS = Set.of("flowgate/provenance", "flowgate/manifest");

    private final Environment env;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PushCommand(Environment env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    static int run(List<String> args, Environment env, Path cwd, PrintStream out, PrintStream err) {
        if (args.contains("-h") || args.contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        Options options = Options.parse(args);
        return new PushCommand(env, out).push(options, cwd);
    }

    private record Options(Optional<String> branch, Optional<String> repository, int timeoutSeconds, boolean follow) {
        static Options parse(List<String> args) {
            Optional<String> branch = Optional.empty();
            Optional<String> repository = Optional.empty();
            int timeout = 600;
            boolean follow = true;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--no-wait" -> follow = false;
                    case "--debug" -> { }
                    case "--branch", "--repository", "--timeout" -> {
                        if (i + 1 >= args.size()) {
                            throw new CliFailure(arg + " needs a value (see flowgate push --help)", 2, null);
                        }
                        String value = args.get(++i);
                        if (arg.equals("--branch")) {
                            branch = Optional.of(value.replaceFirst("^refs/heads/", ""));
                        } else if (arg.equals("--repository")) {
                            if (!value.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
                                throw new CliFailure("--repository must be OWNER/REPO, got '" + value + "'", 2, null);
                            }
                            repository = Optional.of(value);
                        } else {
                            try {
                                timeout = Integer.parseInt(value);
                            } catch (NumberFormatException e) {
                                throw new CliFailure("--timeout must be a number of seconds, got '" + value + "'", 2, null);
                            }
                        }
                    }
                    default -> throw new CliFailure("unknown argument '" + arg + "' (see flowgate push --help)", 2, null);
                }
            }
            return new Options(branch, repository, timeout, follow);
        }
    }

    private int push(Options options, Path cwd) {
        String localUrl = env.get("FLOWGATE_LOCAL_URL").map(u -> u.replaceAll("/+$", "")).orElseThrow(() -> new CliFailure(
                "FLOWGATE_LOCAL_URL is not set: run eval \"$(scripts/flowgate env)\" in this shell first", 2, null));
        LocalGit git = new LocalGit(cwd);
        Path top = git.value("rev-parse", "--show-toplevel").map(Path::of).orElseThrow(() -> new CliFailure(
                "not in a git repository: run flowgate push in your project (git init && git add . && git commit first)",
                2, null));
        LocalGit repo = new LocalGit(top);
        String sha = repo.value("rev-parse", "--verify", "-q", "HEAD^{commit}").orElseThrow(() -> new CliFailure(
                "the repository has no commit yet: git add . && git commit -m 'First flow', then flowgate push", 2, null));
        String branch = options.branch().or(() -> repo.value("symbolic-ref", "--short", "-q", "HEAD"))
                .orElseThrow(() -> new CliFailure("HEAD is detached: say which branch this is with --branch BRANCH", 2, null));
        String repository = options.repository().orElseGet(() -> repositoryOf(repo, top));
        String owner = repository.substring(0, repository.indexOf('/'));
        String name = repository.substring(repository.indexOf('/') + 1);
        out.println("push " + repository + " " + branch + " @ " + sha.substring(0, 12) + " ("
                + repo.value("log", "-1", "--format=%s", sha).orElse("") + ")");
        if (repo.value("status", "--porcelain", "--untracked-files=no").isPresent()) {
            out.println("  note: uncommitted changes are not part of the push (only commits are)");
        }

        String before = publish(repo, top, owner, name, branch, sha);
        byte[] body = FlowgateJson.write(payload(repo, owner, name, branch, before, sha, localUrl)).getBytes(StandardCharsets.UTF_8);
        String secret = webhookSecret();
        String statusesPath = "/local/github/repos/" + owner + "/" + name + "/commits/" + sha + "/statuses";
        int seen = statuses(localUrl + statusesPath).size();

        String delivery = UUID.randomUUID().toString();
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(localUrl + "/webhooks/github"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/flowgate-push")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", WebhookSignature.sign(secret.getBytes(StandardCharsets.UTF_8), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), localUrl);
        JsonNode accepted = parse(answer.body());
        String message = accepted.path("message").asText(answer.body());
        if (answer.statusCode() == 403) {
            out.println("not deployed: " + message + " — fix: " + RefusalFixes.forOutcome("not_configured").orElseThrow());
            return 1;
        }
        if (answer.statusCode() / 100 != 2) {
            throw new CliFailure("the platform's webhook answered " + answer.statusCode() + ": " + message
                    + (answer.statusCode() == 401 ? " — the webhook secret differs: run eval \"$(scripts/flowgate env)\" again" : ""));
        }
        if (accepted.path("ignored").asBoolean(false)) {
            out.println("not deployed: " + message);
            return 1;
        }
        String deploymentId = accepted.path("deployment_id").asText("");
        out.println("  webhook: " + answer.statusCode() + " " + message + " (delivery " + delivery + ")");
        if (accepted.path("duplicate").asBoolean(false)) {
            // GitHub's redelivery rule: one deployment per commit and branch for a while; that one stands
            out.println("nothing new: " + sha.substring(0, 12) + " was pushed moments ago; deployment " + deploymentId
                    + " handles it (flowgate deployments FLOW shows it)");
            return 0;
        }
        if (!options.follow()) {
            out.println("sent: deployment " + deploymentId + " of " + repository + "@" + sha.substring(0, 12)
                    + "; follow it with flowgate deployments FLOW");
            return 0;
        }
        return follow(localUrl + statusesPath, seen, flowsAt(repo, sha), options.timeoutSeconds(), deploymentId);
    }

    /** OWNER/REPO from the origin remote, the repository's place under the git root, or the one configured repository. */
    private String repositoryOf(LocalGit repo, Path top) {
        Optional<String> origin = repo.value("remote", "get-url", "origin");
        if (origin.isPresent()) {
            return GitRemote.ownerRepo(origin.get()).orElseThrow(() -> new CliFailure("the origin remote '" + origin.get()
                    + "' is not an OWNER/REPO URL: give --repository OWNER/REPO", 2, null));
        }
        Path root = gitRoot().toAbsolutePath().normalize();
        Path here = top.toAbsolutePath().normalize();
        if (here.getParent() != null && here.getParent().getParent() != null && here.getParent().getParent().equals(root)) {
            return here.getParent().getFileName() + "/" + here.getFileName();
        }
        List<String> configured = env.get("FLOWGATE_REPOSITORIES").map(r -> List.of(r.split(","))).orElse(List.of());
        if (configured.size() == 1) {
            return configured.get(0).strip().split(":")[0];
        }
        throw new CliFailure("cannot tell which GitHub repository this is: add the remote"
                + " (git remote add origin https://github.com/OWNER/REPO.git) or give --repository OWNER/REPO", 2, null);
    }

    private Path gitRoot() {
        return Path.of(env.get("FLOWGATE_LOCAL_GIT_ROOT",
                Path.of(System.getProperty("user.home"), ".flowgate", "git").toString()));
    }

    /** Makes the commit known to the local GitHub; returns what the branch pointed at there before (zeros: new). */
    private String publish(LocalGit repo, Path top, String owner, String name, String branch, String sha) {
        Path root = gitRoot();
        Path checkout = root.resolve(owner).resolve(name);
        if (Files.isDirectory(checkout.resolve(".git")) || Files.isRegularFile(checkout.resolve("HEAD"))) {
            if (sameFile(checkout, top)) {
                out.println("  commits: already in the local GitHub (" + checkout + ")");
                return ZERO;
            }
            if (Files.isDirectory(checkout.resolve(".git"))) {
                throw new CliFailure(checkout + " is another checkout of " + owner + "/" + name + ": push from there, or"
                        + " remove it so flowgate push can keep a bare copy of your repository there", 2, null);
            }
        } else {
            checkout = root.resolve(owner).resolve(name + ".git");
        }
        LocalGit hosted = new LocalGit(checkout);
        if (!Files.isRegularFile(checkout.resolve("HEAD"))) {
            try {
                Files.createDirectories(checkout);
            } catch (IOException e) {
                throw new CliFailure("cannot create " + checkout + ": " + e.getMessage() + " (set FLOWGATE_LOCAL_GIT_ROOT"
                        + " to a writable directory, for the platform and this shell)", 1, e);
            }
            LocalGit.Result init = hosted.run("init", "--bare", "-q");
            if (!init.ok()) {
                throw new CliFailure("git init --bare " + checkout + " failed: " + init.err());
            }
        }
        String before = hosted.value("rev-parse", "-q", "--verify", "refs/heads/" + branch).orElse(ZERO);
        LocalGit.Result pushed = repo.run("push", "-q", "--force", checkout.toString(), sha + ":refs/heads/" + branch);
        if (!pushed.ok()) {
            throw new CliFailure("git push to the local GitHub (" + checkout + ") failed: " + pushed.err().lines()
                    .reduce((a, b) -> b).orElse(""));
        }
        out.println("  commits: " + sha.substring(0, 12) + " is refs/heads/" + branch + " of the local GitHub (" + checkout + ")");
        return before;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The push payload GitHub sends (the fields Flowgate and common consumers read). */
    private Map<String, Object> payload(LocalGit repo, String owner, String name, String branch, String before,
                                        String sha, String localUrl) {
        List<Map<String, Object>> commits = new ArrayList<>();
        String range = before.equals(ZERO) || repo.run("cat-file", "-e", before + "^{commit}").code() != 0 ? sha + "~0" : before + ".." + sha;
        String log = repo.value("log", "-20", "--reverse", "--format=%H%x1f%s%x1f%an%x1f%ae%x1f%cI",
                range.endsWith("~0") ? "-1" : range, range.endsWith("~0") ? sha : "--").orElse("");
        for (String line : log.split("\n")) {
            String[] f = line.split("\u001f", -1);
            if (f.length == 5) {
                Map<String, Object> commit = new LinkedHashMap<>();
                commit.put("id", f[0]);
                commit.put("message", f[1]);
                commit.put("timestamp", f[4]);
                commit.put("author", Map.of("name", f[2], "email", f[3]));
                commit.put("url", "https://github.com/" + owner + "/" + name + "/commit/" + f[0]);
                commits.add(commit);
            }
        }
        boolean forced = !before.equals(ZERO) && repo.run("merge-base", "--is-ancestor", before, sha).code() != 0;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ref", "refs/heads/" + branch);
        body.put("before", before);
        body.put("after", sha);
        body.put("created", before.equals(ZERO));
        body.put("deleted", false);
        body.put("forced", forced);
        body.put("base_ref", null);
        body.put("compare", "https://github.com/" + owner + "/" + name + "/compare/" + before.substring(0, 12) + "..." + sha.substring(0, 12));
        body.put("commits", commits);
        body.put("head_commit", commits.isEmpty() ? Map.of("id", sha) : commits.get(commits.size() - 1));
        Map<String, Object> repository = new LinkedHashMap<>();
        repository.put("name", name);
        repository.put("full_name", owner + "/" + name);
        repository.put("owner", Map.of("login", owner, "name", owner));
        repository.put("default_branch", "main");
        repository.put("url", localUrl + "/local/github/repos/" + owner + "/" + name);
        body.put("repository", repository);
        String user = System.getProperty("user.name", "flowgate");
        body.put("pusher", Map.of("name", user));
        body.put("sender", Map.of("login", user));
        return body;
    }

    /** FLOWGATE_GITHUB_WEBHOOK_SECRET when this shell sets it, else the secret the local platform seeded. */
    private String webhookSecret() {
        Optional<String> given = env.get("FLOWGATE_GITHUB_WEBHOOK_SECRET");
        if (given.isPresent()) {
            return given.get();
        }
        if (env.get("AWS_ENDPOINT_URL").isEmpty()) {
            throw new CliFailure("AWS_ENDPOINT_URL is not set, so the local webhook secret cannot be read: run"
                    + " eval \"$(scripts/flowgate env)\" in this shell first", 2, null);
        }
        String id = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX))
                .secretName(FlowgateResources.GITHUB_WEBHOOK_SECRET);
        try (SecretsManagerClient secrets = AwsSettings.from(env).configure(SecretsManagerClient.builder())) {
            return secrets.getSecretValue(r -> r.secretId(id)).secretString();
        } catch (SdkException e) {
            throw new CliFailure("cannot read the webhook secret " + id + " from the emulator at "
                    + env.get("AWS_ENDPOINT_URL").orElse("") + " (" + firstLine(e.getMessage()) + "): is scripts/platform"
                    + " running? then run eval \"$(scripts/flowgate env)\" again", 1, e);
        }
    }

    private static List<String> flowsAt(LocalGit repo, String sha) {
        LocalGit.Result manifest = repo.run("show", sha + ":" + ProjectManifest.FILE);
        if (!manifest.ok()) {
            return List.of();
        }
        try {
            return ProjectManifest.parse(manifest.out().getBytes(StandardCharsets.UTF_8)).flows().stream()
                    .map(ProjectManifest.FlowEntry::name).toList();
        } catch (DeployError e) {
            return List.of(); // the deployer reports it under flowgate/manifest
        }
    }

    /** Prints each new commit status as it comes, until every flow (or the whole push) has a final one. */
    private int follow(String statusesUrl, int seen, List<String> flows, int timeoutSeconds, String deploymentId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        Map<String, JsonNode> finals = new LinkedHashMap<>();
        int printed = 0;
        Optional<JsonNode> wholePush = Optional.empty();
        while (System.nanoTime() < deadline) {
            List<JsonNode> all = statuses(statusesUrl);
            List<JsonNode> fresh = new ArrayList<>(all.subList(0, Math.max(0, all.size() - seen)));
            java.util.Collections.reverse(fresh); // oldest first
            for (int i = printed; i < fresh.size(); i++) {
                JsonNode status = fresh.get(i);
                String context = status.path("context").asText();
                String state = status.path("state").asText();
                out.println("  " + context.replaceFirst("^flowgate/", "") + ": " + state + " — " + status.path("description").asText());
                if (!state.equals("pending")) {
                    if (WHOLE_PUSH_CONTEXTS.contains(context)) {
                        wholePush = Optional.of(status);
                    } else {
                        finals.put(context.replaceFirst("^flowgate/", ""), status);
                    }
                }
            }
            printed = fresh.size();
            if (wholePush.isPresent()) {
                JsonNode status = wholePush.get();
                out.println("not deployed: " + status.path("description").asText() + fixFor(status));
                return 1;
            }
            if (!flows.isEmpty() && finals.keySet().containsAll(flows)) {
                return conclude(finals, deploymentId);
            }
            sleep();
        }
        throw new CliFailure("the deployment " + deploymentId + " did not end within " + timeoutSeconds + " s (flows: "
                + flows + "): see flowgate deployments FLOW and the platform's log");
    }

    private int conclude(Map<String, JsonNode> finals, String deploymentId) {
        List<String> done = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : finals.entrySet()) {
            JsonNode status = entry.getValue();
            if (status.path("state").asText().equals("success")) {
                record(status).ifPresent(record -> {
                    if (record.path("deployment_id").asText().equals(deploymentId) && record.path("stage_ms").isObject()) {
                        List<String> stages = new ArrayList<>();
                        record.path("stage_ms").fields().forEachRemaining(e -> stages.add(e.getKey() + " " + e.getValue().asLong() + " ms"));
                        out.println("  " + entry.getKey() + " stages: " + String.join(", ", stages));
                    }
                });
                done.add(status.path("description").asText());
            } else {
                refused.add(entry.getKey() + ": " + status.path("description").asText() + fixFor(status));
            }
        }
        if (refused.isEmpty()) {
            out.println(String.join("; ", done) + " (deployment " + deploymentId + ")");
            return 0;
        }
        out.println("not deployed: " + String.join("; ", refused));
        return 1;
    }

    /** " — fix: …" for the refusal the status links to (its record names the outcome). */
    private String fixFor(JsonNode status) {
        return record(status).map(r -> r.path("outcome").asText()).flatMap(RefusalFixes::forOutcome)
                .map(fix -> " — fix: " + fix).orElse("");
    }

    private Optional<JsonNode> record(JsonNode status) {
        String url = status.path("target_url").asText("");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(FlowgateJson.parse(response.body())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private List<JsonNode> statuses(String url) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                url.substring(0, url.indexOf("/local/github")));
        if (response.statusCode() != 200) {
            return List.of();
        }
        List<JsonNode> list = new ArrayList<>();
        parse(response.body()).forEach(list::add);
        return list;
    }

    private HttpResponse<String> send(HttpRequest request, String localUrl) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliFailure("no Flowgate platform answers at " + localUrl + ": start it with scripts/platform, then"
                    + " eval \"$(scripts/flowgate env)\" in this shell", 1, e);
        } catch (IOException e) {
            throw new CliFailure(request.method() + " " + request.uri() + " failed: " + e.getMessage()
                    + " (is scripts/platform still running?)", 1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return FlowgateJson.parse(body == null || body.isBlank() ? "{}" : body);
        } catch (RuntimeException e) {
            return FlowgateJson.parse("{}");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(700);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted");
        }
    }

    static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}

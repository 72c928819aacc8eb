package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.domain.DeployRequest.Source;
import dev.flowgate.deployer.domain.RepositoryPolicy.Target;
import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.DeploymentDispatcher;
import dev.flowgate.deployer.port.WebhookSecret;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * GitHub delivery in, decision out: verify the signature before reading anything, answer {@code ping},
 * turn {@code push} and merged {@code pull_request} into one deploy request per (repository, branch, commit),
 * de-duplicate, hand it on asynchronously and answer 202 with the deployment id.
 */
public final class WebhookService {
    public static final int MAX_BODY_BYTES = 25 * 1024 * 1024;
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final String ZERO_SHA = "0".repeat(40);

    private final WebhookSecret secret;
    private final RepositoryPolicy policy;
    private final DeliveryLedger ledger;
    private final DeploymentDispatcher dispatcher;
    private final DeploymentIds ids;
    private final Clock clock;
    private final Duration deliveryTtl;
    private final Duration commitTtl;

    public WebhookService(WebhookSecret secret, RepositoryPolicy policy, DeliveryLedger ledger,
                          DeploymentDispatcher dispatcher, DeploymentIds ids, Clock clock,
                          Duration deliveryTtl, Duration commitTtl) {
        this.secret = secret;
        this.policy = policy;
        this.ledger = ledger;
        this.dispatcher = dispatcher;
        this.ids = ids;
        this.clock = clock;
        this.deliveryTtl = deliveryTtl;
        this.commitTtl = commitTtl;
    }

    /** @param headers header names compared case-insensitively by the caller's map */
    public WebhookResponse handle(Map<String, String> headers, byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            return WebhookResponse.error(413, "body", "payload larger than 25 MB");
        }
        if (!WebhookSignature.verify(secret.value(), body, headers.get("X-Hub-Signature-256"))) {
            return WebhookResponse.error(401, "X-Hub-Signature-256", "missing or wrong signature");
        }
        String contentType = headers.getOrDefault("Content-Type", "application/json").toLowerCase(Locale.ROOT);
        if (contentType.contains("x-www-form-urlencoded")) {
            return WebhookResponse.error(415, "Content-Type", "configure the webhook with content type application/json");
        }
        String event = headers.get("X-GitHub-Event");
        if (event == null || event.isBlank()) {
            return WebhookResponse.error(400, "X-GitHub-Event", "header X-GitHub-Event is required");
        }
        String delivery = headers.get("X-GitHub-Delivery");
        if (delivery == null || delivery.isBlank() || delivery.length() > 200) {
            return WebhookResponse.error(400, "X-GitHub-Delivery", "header X-GitHub-Delivery is required");
        }
        JsonNode payload;
        try {
            payload = FlowgateJson.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return WebhookResponse.error(400, "body", "body is not valid JSON");
        }
        if (!payload.isObject()) {
            return WebhookResponse.error(400, "body", "body must be a JSON object");
        }
        return switch (event) {
            case "ping" -> WebhookResponse.of(200, Map.of("message", "pong", "zen", payload.path("zen").asText("")));
            case "push" -> push(delivery, payload);
            case "pull_request" -> pullRequest(delivery, payload);
            default -> WebhookResponse.ignored("event '" + event + "' does not deploy; subscribe to push and pull_request");
        };
    }

    private WebhookResponse push(String delivery, JsonNode payload) {
        String ref = payload.path("ref").asText("");
        if (!ref.startsWith(DeployRequest.BRANCH_PREFIX)) {
            return ref.isEmpty() ? WebhookResponse.error(400, "ref", "push payload has no ref")
                    : WebhookResponse.ignored("only branch pushes deploy, not " + ref);
        }
        String after = payload.path("after").asText("");
        if (payload.path("deleted").asBoolean(false) || ZERO_SHA.equals(after)) {
            return WebhookResponse.ignored("branch deletion does not deploy");
        }
        return accept(delivery, Source.GITHUB_PUSH, payload.path("repository").path("full_name").asText(""),
                ref.substring(DeployRequest.BRANCH_PREFIX.length()), after, "after");
    }

    private WebhookResponse pullRequest(String delivery, JsonNode payload) {
        JsonNode pr = payload.path("pull_request");
        String action = payload.path("action").asText("");
        if (!"closed".equals(action) || !pr.path("merged").asBoolean(false)) {
            return WebhookResponse.ignored("pull_request '" + action + "' without a merge does not deploy");
        }
        String repo = pr.path("base").path("repo").path("full_name").asText(payload.path("repository").path("full_name").asText(""));
        return accept(delivery, Source.GITHUB_PR_MERGE, repo, pr.path("base").path("ref").asText(""),
                pr.path("merge_commit_sha").asText(""), "pull_request.merge_commit_sha");
    }

    private WebhookResponse accept(String delivery, Source source, String repository, String branch, String sha,
                                   String shaField) {
        if (repository.isBlank()) {
            return WebhookResponse.error(400, "repository.full_name", "payload names no repository");
        }
        if (!SHA.matcher(sha).matches()) {
            return WebhookResponse.error(400, shaField, "must be a 40-character lowercase hex commit sha");
        }
        if (!policy.knows(repository)) {
            return WebhookResponse.error(403, "repository.full_name", policy.refusal(repository, branch));
        }
        Optional<Target> target = policy.target(repository, branch);
        if (target.isEmpty()) {
            return WebhookResponse.ignored(policy.refusal(repository, branch));
        }
        Instant now = clock.instant();
        String newId = ids.next(now);
        String commitKey = "commit#" + repository.toLowerCase(Locale.ROOT) + "#" + branch + "#" + sha;
        Optional<String> earlierCommit = ledger.claim(commitKey, newId, now.plus(commitTtl));
        String deploymentId = earlierCommit.orElse(newId);
        Optional<String> earlierDelivery = ledger.claim("delivery#" + delivery, deploymentId, now.plus(deliveryTtl));
        if (earlierDelivery.isPresent()) {
            return duplicate(earlierDelivery.get(), "delivery " + delivery + " was already accepted");
        }
        if (earlierCommit.isPresent()) {
            return duplicate(deploymentId, "commit " + sha + " of " + branch + " was already accepted"
                    + " (a merge also sends a push)");
        }
        DeployRequest request = new DeployRequest(delivery, source, repository, sha, DeployRequest.BRANCH_PREFIX + branch,
                List.of(), false, Optional.of(deploymentId));
        try {
            dispatcher.dispatch(request);
        } catch (RuntimeException e) {
            ledger.release("delivery#" + delivery);
            ledger.release(commitKey);
            return WebhookResponse.error(503, "deployer", "could not hand the deployment over; redeliver later");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "accepted: " + target.get().name().toLowerCase(Locale.ROOT) + " deployment of "
                + repository + "@" + sha.substring(0, 12) + " (" + branch + ")");
        body.put("deployment_id", deploymentId);
        body.put("target", target.get().name().toLowerCase(Locale.ROOT));
        return WebhookResponse.of(202, body);
    }

    private static WebhookResponse duplicate(String deploymentId, String message) {
        return WebhookResponse.of(202, Map.of("message", message + "; nothing new to do",
                "deployment_id", deploymentId, "duplicate", true));
    }
}

package dev.flowgate.deployer.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.Priming;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.WebhookResponse;
import dev.flowgate.deployer.domain.WebhookService;
import dev.flowgate.model.json.FlowgateJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** {@code POST /webhooks/github}: GitHub deliveries in, 202 + deployment id out (work continues asynchronously). */
public final class GitHubWebhookHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    public static final String MOUNT = "/webhooks/github";
    private static final Logger LOG = LoggerFactory.getLogger(GitHubWebhookHandler.class);
    private final WebhookService service;
    private final Priming priming;

    public GitHubWebhookHandler() {
        this(Environment.system());
    }

    public GitHubWebhookHandler(Environment env) {
        this(DeployerWiring.webhookService(env));
    }

    GitHubWebhookHandler(WebhookService service) {
        this.service = service;
        this.priming = Priming.register("github-webhook", this::prime);
    }

    /**
     * SnapStart priming: an unsigned delivery runs header handling, the webhook secret's read (the Secrets Manager
     * client; the cached value expires after its max age as any other), the HMAC check and the JSON answer; it is
     * refused as unsigned before any table is touched.
     */
    private void prime() {
        try {
            FlowgateJson.write(respond(new APIGatewayProxyRequestEvent().withHeaders(Map.of("X-GitHub-Event", "ping"))
                    .withBody("{}")).body());
        } finally {
            MDC.clear();
        }
    }

    /** The priming hook (the startup benchmark runs it without a snapshot). */
    public Priming priming() {
        return priming;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            WebhookResponse response = respond(event);
            Object deployment = response.body().get("deployment_id");
            if (deployment != null) {
                MDC.put("deployment_id", deployment.toString());
            }
            String line = "delivery " + MDC.get("delivery_id") + " (" + MDC.get("github_event") + ") -> " + response.status()
                    + " " + response.body().getOrDefault("message", "");
            if (response.status() >= 500) {
                LOG.error("{}", line, entry("status", response.status()));
            } else if (response.status() >= 400) {
                LOG.warn("{}", line, entry("status", response.status()));
            } else {
                LOG.info("{}", line, entry("status", response.status()));
            }
            return new APIGatewayProxyResponseEvent().withStatusCode(response.status())
                    .withHeaders(Map.of("Content-Type", "application/json"))
                    .withBody(FlowgateJson.write(response.body()));
        });
    }

    private WebhookResponse respond(APIGatewayProxyRequestEvent event) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (event.getMultiValueHeaders() != null) {
            event.getMultiValueHeaders().forEach((k, v) -> { if (v != null && !v.isEmpty()) headers.put(k, v.get(0)); });
        }
        if (event.getHeaders() != null) {
            headers.putAll(event.getHeaders());
        }
        MDC.put("delivery_id", String.valueOf(headers.get("X-GitHub-Delivery")));
        MDC.put("github_event", String.valueOf(headers.get("X-GitHub-Event")));
        String body = event.getBody() == null ? "" : event.getBody();
        byte[] raw = Boolean.TRUE.equals(event.getIsBase64Encoded())
                ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        try {
            return service.handle(headers, raw);
        } catch (DeployError.Unavailable e) {
            return WebhookResponse.error(503, "deployer", e.getMessage() + "; redeliver later");
        }
    }

}

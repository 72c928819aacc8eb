package dev.flowgate.deployer.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.WebhookResponse;
import dev.flowgate.deployer.domain.WebhookService;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** {@code POST /webhooks/github}: GitHub deliveries in, 202 + deployment id out (work continues asynchronously). */
public final class GitHubWebhookHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    public static final String MOUNT = "/webhooks/github";
    private final WebhookService service;

    public GitHubWebhookHandler() {
        this(Environment.system());
    }

    public GitHubWebhookHandler(Environment env) {
        this(DeployerWiring.webhookService(env));
    }

    GitHubWebhookHandler(WebhookService service) {
        this.service = service;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (event.getMultiValueHeaders() != null) {
            event.getMultiValueHeaders().forEach((k, v) -> { if (v != null && !v.isEmpty()) headers.put(k, v.get(0)); });
        }
        if (event.getHeaders() != null) {
            headers.putAll(event.getHeaders());
        }
        String body = event.getBody() == null ? "" : event.getBody();
        byte[] raw = Boolean.TRUE.equals(event.getIsBase64Encoded())
                ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        WebhookResponse response;
        try {
            response = service.handle(headers, raw);
        } catch (DeployError.Unavailable e) {
            response = WebhookResponse.error(503, "deployer", e.getMessage() + "; redeliver later");
        }
        return new APIGatewayProxyResponseEvent().withStatusCode(response.status())
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody(FlowgateJson.write(response.body()));
    }

}

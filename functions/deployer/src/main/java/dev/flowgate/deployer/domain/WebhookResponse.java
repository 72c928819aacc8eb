package dev.flowgate.deployer.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/** The HTTP answer to a GitHub delivery: status and JSON body. */
public record WebhookResponse(int status, Map<String, Object> body) {
    public WebhookResponse {
        body = Map.copyOf(body);
    }

    public static WebhookResponse of(int status, Map<String, Object> body) {
        return new WebhookResponse(status, body);
    }

    public static WebhookResponse ignored(String reason) {
        return new WebhookResponse(202, Map.of("message", "ignored: " + reason, "ignored", true));
    }

    public static WebhookResponse error(int status, String field, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("field", field);
        return new WebhookResponse(status, body);
    }
}

package dev.flowgate.alerter.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;

/**
 * The local stand-in for Slack, mounted by the local runtime at /local/slack: POST records a message and
 * answers "ok" like an incoming webhook; GET returns {@code {"messages":[{"received_at":…,"body":{…}}]}}
 * (oldest first); DELETE forgets them. Keeps the newest {@value #CAPACITY} messages in memory.
 */
public final class LocalSlackSinkHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    public static final String MOUNT = "/local/slack";
    static final int CAPACITY = 200;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Deque<ObjectNode> messages = new ArrayDeque<>();
    private final Clock clock;

    public LocalSlackSinkHandler() {
        this(Clock.systemUTC());
    }

    public LocalSlackSinkHandler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        String method = request.getHttpMethod() == null ? "" : request.getHttpMethod().toUpperCase();
        switch (method) {
            case "GET" -> {
                ObjectNode body = MAPPER.createObjectNode();
                ArrayNode list = body.putArray("messages");
                messages.forEach(list::add);
                return json(200, body.toString());
            }
            case "DELETE" -> {
                messages.clear();
                return json(200, "{\"messages\":[]}");
            }
            case "POST" -> {
                String raw = request.getBody() == null ? "" : request.getBody();
                if (Boolean.TRUE.equals(request.getIsBase64Encoded())) {
                    raw = new String(Base64.getDecoder().decode(raw), java.nio.charset.StandardCharsets.UTF_8);
                }
                JsonNode parsed;
                try {
                    parsed = MAPPER.readTree(raw);
                } catch (Exception e) {
                    parsed = null;
                }
                if (parsed == null || !parsed.isObject() || !parsed.hasNonNull("text") && !parsed.has("blocks")) {
                    return json(400, "{\"message\":\"body must be a Slack message JSON object with text or blocks\",\"field\":\"body\"}");
                }
                ObjectNode record = MAPPER.createObjectNode();
                record.put("received_at", clock.instant().toString());
                record.set("body", parsed);
                messages.addLast(record);
                while (messages.size() > CAPACITY) {
                    messages.removeFirst();
                }
                return new APIGatewayProxyResponseEvent().withStatusCode(200)
                        .withHeaders(Map.of("Content-Type", "text/plain")).withBody("ok");
            }
            default -> {
                return json(405, "{\"message\":\"use GET, POST or DELETE\",\"field\":\"method\"}");
            }
        }
    }

    private static APIGatewayProxyResponseEvent json(int status, String body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(body);
    }
}

package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.domain.Caller;
import dev.flowgate.metadata.domain.MetadataException;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.InvalidNameException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP semantics around the route table, independent of the Lambda event types: routing (404/405), error
 * mapping (typed domain errors to 4xx/503 JSON, never a 500 for client input) and the version header.
 */
public final class MetadataApi {
    private final Router router;

    public MetadataApi(Router router) {
        this.router = router;
    }

    /** An HTTP answer: status, headers, body text; {@code route} is the matched template (for logs/metrics). */
    public record HttpReply(int status, Map<String, String> headers, String body, String route) {
    }

    public HttpReply serve(String method, String path, Map<String, String> query, String body) {
        return serve(method, path, query, body, Caller.UNKNOWN);
    }

    public HttpReply serve(String method, String path, Map<String, String> query, String body, Caller caller) {
        Router.Match match = router.match(method, path);
        if (!match.found()) {
            if (!match.allowed().isEmpty()) {
                Map<String, String> headers = headers();
                headers.put("Allow", String.join(", ", match.allowed()));
                return new HttpReply(405, headers, message(method + " is not allowed on " + path, null), null);
            }
            return new HttpReply(404, headers(), message("no route for " + method + " " + path, null), null);
        }
        String route = match.route().method() + " " + match.route().template();
        try {
            Router.Reply reply = match.route().action().handle(new Router.Call(match.params(),
                    query == null ? Map.of() : query, body, caller));
            String text = reply.body() instanceof Router.Raw raw ? raw.text() : FlowgateJson.write(reply.body());
            Map<String, String> headers = headers();
            headers.putAll(reply.headers());
            return new HttpReply(reply.status(), headers, text, route);
        } catch (MetadataException e) {
            return new HttpReply(e.status(), headers(), message(e.getMessage(), e.field()), route);
        } catch (InvalidNameException e) {
            return new HttpReply(400, headers(), message(e.getMessage(), e.field()), route);
        }
    }

    /** The answer to a request refused before routing (e.g. a body that is not UTF-8). */
    public static HttpReply refusal(MetadataException e) {
        return new HttpReply(e.status(), headers(), message(e.getMessage(), e.field()), null);
    }

    private static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("METADATA_SERVICE_VERSION", MetadataRoutes.SERVICE_VERSION);
        return headers;
    }

    private static String message(String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        return FlowgateJson.write(body);
    }
}

package dev.flowgate.alerter.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.alerter.domain.AlerterEvents;
import dev.flowgate.alerter.domain.AlerterService;
import dev.flowgate.alerter.domain.InvalidEventException;
import dev.flowgate.aws.Environment;
import dev.flowgate.model.json.FlowgateJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lambda entry point (EventBridge target and Invoke): event JSON in, {@code {"outcome": …}} out. A bad
 * event is answered {@code {"outcome":"rejected","message":…,"field":…}} without a retry; a delivery
 * failure throws, so AWS retries the event and finally parks it in the dead-letter queue.
 */
public final class AlerterHandler implements RequestStreamHandler {
    private final AlerterService service;

    public AlerterHandler() {
        this(Environment.system());
    }

    public AlerterHandler(Environment env) {
        this.service = AlerterWiring.service(env);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ObjectNode answer = FlowgateJson.mapper().createObjectNode();
        try {
            AlerterService.Result result = service.handle(AlerterEvents.parse(
                    FlowgateJson.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8))));
            answer.put("outcome", result.outcome().name().toLowerCase()).put("detail", result.detail());
        } catch (InvalidEventException e) {
            answer.put("outcome", "rejected").put("message", e.getMessage()).put("field", e.field());
        } catch (FlowgateJson.MalformedJsonException e) {
            answer.put("outcome", "rejected").put("message", "the event is not valid JSON").put("field", "event");
        }
        output.write(FlowgateJson.write(answer).getBytes(StandardCharsets.UTF_8));
    }
}

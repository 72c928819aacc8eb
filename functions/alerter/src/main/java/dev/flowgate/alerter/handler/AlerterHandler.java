package dev.flowgate.alerter.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.alerter.domain.AlerterEvents;
import dev.flowgate.alerter.domain.AlerterService;
import dev.flowgate.alerter.domain.InvalidEventException;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.FlowgateMetrics;
import dev.flowgate.aws.Priming;
import dev.flowgate.model.json.FlowgateJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Lambda entry point (EventBridge target and Invoke): event JSON in, {@code {"outcome": …}} out. A bad
 * event is answered {@code {"outcome":"rejected","message":…,"field":…}} without a retry; a delivery
 * failure throws, so AWS retries the event and finally parks it in the dead-letter queue. Each event logs one line
 * (Powertools Logging) and counts {@code AlertsSent} or {@code AlertsFailed} (EMF, namespace {@value #NAMESPACE}).
 */
public final class AlerterHandler implements RequestStreamHandler {
    static final String NAMESPACE = "Flowgate/Alerter";
    private static final Logger LOG = LoggerFactory.getLogger(AlerterHandler.class);
    private final AlerterService service;
    private final FlowgateMetrics metrics;
    private final Priming priming;

    public AlerterHandler() {
        this(Environment.system());
    }

    public AlerterHandler(Environment env) {
        this(AlerterWiring.service(env), FlowgateMetrics.from(env, NAMESPACE));
    }

    AlerterHandler(AlerterService service, FlowgateMetrics metrics) {
        this.service = service;
        this.metrics = metrics;
        this.priming = Priming.register("alerter", this::prime);
    }

    /**
     * SnapStart priming: the burst flush the schedule sends every minute (Jackson, the event parser, the DynamoDB
     * client and the ledger's queries); it posts only what the next scheduled flush would post anyway.
     */
    private void prime() {
        answer(("{\"source\": \"flowgate.alerter\", \"detail-type\": \"Flush Alert Bursts\", \"detail\": {}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The priming hook (the startup benchmark runs it without a snapshot). */
    public Priming priming() {
        return priming;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        ObjectNode answer = PowertoolsLogging.withLogging(context, () -> {
            try {
                ObjectNode result = answer(event);
                LOG.info("{}", result.path("outcome").asText() + ": " + result.path(result.has("detail") ? "detail" : "message").asText(),
                        entry("outcome", result.path("outcome").asText()));
                if (result.path("outcome").asText().equals("posted")) {
                    count("AlertsSent");
                }
                return result;
            } catch (RuntimeException e) {
                LOG.error("{}", "alert not delivered (the event will be retried): " + e.getMessage(), entry("outcome", "failed"));
                count("AlertsFailed");
                throw e;
            }
        });
        output.write(FlowgateJson.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode answer(byte[] event) {
        ObjectNode answer = FlowgateJson.mapper().createObjectNode();
        try {
            AlerterService.Result result = service.handle(AlerterEvents.parse(
                    FlowgateJson.parse(new String(event, StandardCharsets.UTF_8))));
            answer.put("outcome", result.outcome().name().toLowerCase()).put("detail", result.detail());
        } catch (InvalidEventException e) {
            answer.put("outcome", "rejected").put("message", e.getMessage()).put("field", e.field());
        } catch (FlowgateJson.MalformedJsonException e) {
            answer.put("outcome", "rejected").put("message", "the event is not valid JSON").put("field", "event");
        }
        return answer;
    }

    private void count(String metric) {
        metrics.emit(m -> m.addMetric(metric, 1, MetricUnit.COUNT));
    }
}

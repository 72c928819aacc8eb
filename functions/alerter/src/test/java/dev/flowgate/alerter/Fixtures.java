package dev.flowgate.alerter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.alerter.domain.AlerterEvents;
import dev.flowgate.alerter.domain.AlerterInput;
import dev.flowgate.alerter.domain.HistoryEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Loads the recorded, AWS-shaped JSON fixtures (EventBridge events, get-execution-history output). */
public final class Fixtures {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final Map<String, String> PROD_TAGS = Map.of("flowgate:deployment", "dep-1", "flowgate:project", "churn",
            "flowgate:branch", "prod", "flowgate:git_sha", "9b1e4c2d7a6f5e3b8c0d1a2f4e6b8c0d2e4f6a8b",
            "flowgate:run", "TrainFlow/1841");

    private Fixtures() {
    }

    public static String text(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String resource) {
        try {
            return MAPPER.readTree(text(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AlerterInput.ExecutionStatusChange event(String resource) {
        return (AlerterInput.ExecutionStatusChange) AlerterEvents.parse(json(resource));
    }

    /** The events of an {@code aws stepfunctions get-execution-history --reverse-order} output. */
    public static List<HistoryEvent> history(String resource) {
        List<HistoryEvent> out = new ArrayList<>();
        for (JsonNode e : json(resource).path("events")) {
            String state = e.path("stateEnteredEventDetails").path("name").asText(
                    e.path("stateExitedEventDetails").path("name").asText(null));
            String error = null;
            String cause = null;
            String resourceType = null;
            String res = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().endsWith("EventDetails") && (f.getValue().has("error") || f.getValue().has("cause")
                        || f.getKey().startsWith("executionAborted"))) {
                    error = f.getValue().path("error").asText(null);
                    cause = f.getValue().path("cause").asText(null);
                    resourceType = f.getValue().path("resourceType").asText(null);
                    res = f.getValue().path("resource").asText(null);
                }
            }
            BigDecimal seconds = e.path("timestamp").decimalValue();
            out.add(new HistoryEvent(e.path("id").asLong(), e.path("type").asText(),
                    Instant.ofEpochMilli(seconds.movePointRight(3).longValue()), state, error, cause, resourceType, res));
        }
        return out;
    }
}

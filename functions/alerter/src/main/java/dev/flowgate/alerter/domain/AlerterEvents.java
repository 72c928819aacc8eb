package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;
import dev.flowgate.model.json.FlowgateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The event shapes the alerter accepts (documented in the module README) and the one the deployer sends. */
public final class AlerterEvents {
    public static final String SFN_SOURCE = "aws.states";
    public static final String SFN_DETAIL_TYPE = "Step Functions Execution Status Change";
    public static final String DEPLOYER_SOURCE = DeploymentFailedEvent.SOURCE;
    public static final String DEPLOYMENT_FAILED = DeploymentFailedEvent.DETAIL_TYPE;
    public static final String ALERTER_SOURCE = "flowgate.alerter";
    public static final String FLUSH_BURSTS = "Flush Alert Bursts";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlerterEvents() {
    }

    public static AlerterInput parse(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw new InvalidEventException("event", "the event must be a JSON object");
        }
        String source = event.path("source").asText("");
        String type = event.path("detail-type").asText("");
        if (SFN_SOURCE.equals(source) && SFN_DETAIL_TYPE.equals(type)) {
            return execution(event);
        }
        if (DEPLOYER_SOURCE.equals(source) && DEPLOYMENT_FAILED.equals(type)) {
            return new AlerterInput.DeploymentFailed(deployment(event));
        }
        if ((ALERTER_SOURCE.equals(source) && FLUSH_BURSTS.equals(type))
                || ("aws.events".equals(source) && "Scheduled Event".equals(type))) {
            return new AlerterInput.FlushBursts();
        }
        throw new InvalidEventException("detail-type", "unsupported event source '" + source + "' / detail-type '"
                + type + "'; expected '" + SFN_DETAIL_TYPE + "' from " + SFN_SOURCE + ", '" + DEPLOYMENT_FAILED
                + "' from " + DEPLOYER_SOURCE + " or '" + FLUSH_BURSTS + "' from " + ALERTER_SOURCE);
    }

    private static AlerterInput execution(JsonNode event) {
        JsonNode d = detail(event);
        String status = required(d, "status");
        Optional<AlertStatus> alerting = AlertStatus.of(status);
        if (alerting.isEmpty()) {
            return new AlerterInput.Ignored("status " + status + " does not alert");
        }
        String executionArn = required(d, "executionArn");
        String machineArn = required(d, "stateMachineArn");
        String name = text(d, "name").orElseGet(() -> executionArn.substring(executionArn.lastIndexOf(':') + 1));
        String region = text(event, "region").orElseGet(() -> arnPart(executionArn, 3));
        return new AlerterInput.ExecutionStatusChange(region, executionArn, machineArn, name, alerting.get(),
                epochMillis(d, "startDate"), epochMillis(d, "stopDate"), text(d, "error"), text(d, "cause"));
    }

    private static DeploymentFailedEvent deployment(JsonNode event) {
        JsonNode d = detail(event);
        Instant time = text(event, "time").map(t -> {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw new InvalidEventException("time", "time must be an ISO-8601 instant, got '" + t + "'");
            }
        }).orElse(Instant.EPOCH);
        return new DeploymentFailedEvent(required(d, "deployment_id"), required(d, "flow"), text(d, "project").orElse(""),
                text(d, "repository").orElse(""), text(d, "commit_sha").orElse(""), text(d, "branch").orElse(""),
                text(d, "outcome").orElse("error"), text(d, "message").orElse(""), text(d, "channel"), time);
    }

    private static JsonNode detail(JsonNode event) {
        JsonNode d = event.path("detail");
        if (!d.isObject()) {
            throw new InvalidEventException("detail", "detail must be a JSON object");
        }
        return d;
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new InvalidEventException("detail." + field,
                "detail." + field + " is required"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Optional<Instant> epochMillis(JsonNode d, String field) {
        JsonNode v = d.path(field);
        if (v.isNull() || v.isMissingNode()) {
            return Optional.empty();
        }
        if (!v.canConvertToLong()) {
            throw new InvalidEventException("detail." + field, "detail." + field + " must be epoch milliseconds");
        }
        return Optional.of(Instant.ofEpochMilli(v.asLong()));
    }

    private static String arnPart(String arn, int index) {
        String[] parts = arn.split(":");
        return parts.length > index ? parts[index] : "";
    }
}

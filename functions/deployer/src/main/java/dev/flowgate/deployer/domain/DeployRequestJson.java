package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.flowgate.deployer.domain.DeployRequest.Source;
import dev.flowgate.model.json.FlowgateJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The deploy request's JSON form (documented in the module README), validated against
 * {@code schemas/deploy-request.schema.json} with field-level errors.
 */
public final class DeployRequestJson {
    private static final JsonSchema SCHEMA = load();

    private DeployRequestJson() {
    }

    /** Validates and reads; {@link InvalidRequest} lists every offending field. */
    public static DeployRequest read(JsonNode json, String defaultRequestId) {
        if (json == null || !json.isObject()) {
            throw new InvalidRequest(List.of(new FieldError("$", "the payload must be a JSON object")));
        }
        Set<ValidationMessage> messages = SCHEMA.validate(json);
        if (!messages.isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            for (ValidationMessage message : messages) {
                String location = message.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
                String property = message.getProperty();
                String field = property != null && ("required".equals(message.getType())
                        || "additionalProperties".equals(message.getType()))
                        ? (location.isEmpty() ? property : location + "." + property) : location;
                errors.add(new FieldError(field.isEmpty() ? "$" : field, message.getMessage()));
            }
            errors.sort(Comparator.comparing(FieldError::field));
            throw new InvalidRequest(errors);
        }
        List<String> flows = new ArrayList<>();
        json.path("flows").forEach(f -> flows.add(f.asText()));
        return new DeployRequest(
                json.path("request_id").asText(defaultRequestId),
                json.has("source") ? Source.fromWire(json.get("source").asText()) : Source.JENKINS,
                json.get("repository").asText(),
                json.get("commit_sha").asText(),
                json.get("ref").asText(),
                flows,
                json.path("dry_run").asBoolean(false),
                Optional.ofNullable(json.get("deployment_id")).map(JsonNode::asText));
    }

    public static ObjectNode write(DeployRequest request) {
        ObjectNode node = FlowgateJson.mapper().createObjectNode();
        node.put("schema", "flowgate-deploy/v1");
        node.put("request_id", request.requestId());
        node.put("source", request.source().wireName());
        node.put("repository", request.repository());
        node.put("commit_sha", request.commitSha());
        node.put("ref", request.ref());
        ArrayNode flows = node.putArray("flows");
        request.flows().forEach(flows::add);
        node.put("dry_run", request.dryRun());
        request.deploymentId().ifPresent(id -> node.put("deployment_id", id));
        return node;
    }

    private static JsonSchema load() {
        try (InputStream in = DeployRequestJson.class.getResourceAsStream("/schemas/deploy-request.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schemas/deploy-request.schema.json missing from the class path");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One rejected field: its JSON path (e.g. {@code commit_sha}, {@code flows[0]}) and why. */
    public record FieldError(String field, String message) {
    }

    /** The payload does not match the schema. */
    public static final class InvalidRequest extends IllegalArgumentException {
        private final List<FieldError> errors;

        public InvalidRequest(List<FieldError> errors) {
            super(errors.isEmpty() ? "invalid request" : errors.get(0).field() + ": " + errors.get(0).message());
            this.errors = List.copyOf(errors);
        }

        public List<FieldError> errors() {
            return errors;
        }
    }
}

package dev.flowgate.metadata.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.Tags;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads Metaflow request bodies; every refusal is a 400 naming the field. */
final class Input {
    /** Far above what the client sends for one task attempt, well under API Gateway's 10 MB. */
    static final int MAX_BODY_CHARS = 6 * 1024 * 1024;
    static final int MAX_BATCH = 10_000;

    private Input() {
    }

    static JsonNode object(String body) {
        JsonNode node = parse(body);
        if (!node.isObject()) {
            throw MetadataException.invalid("body", "request body must be a JSON object");
        }
        return node;
    }

    /** The body of the heartbeat and similar bodiless POSTs: anything, ignored. */
    static JsonNode optionalObject(String body) {
        if (body == null || body.isBlank()) {
            return FlowgateJson.mapper().createObjectNode();
        }
        return object(body);
    }

    static List<JsonNode> array(String body) {
        JsonNode node = parse(body);
        if (!node.isArray()) {
            throw MetadataException.invalid("body", "request body must be a JSON array");
        }
        if (node.size() > MAX_BATCH) {
            throw MetadataException.invalid("body", "at most " + MAX_BATCH + " elements per request");
        }
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isObject()) {
                throw MetadataException.invalid("body", "every element of the array must be a JSON object");
            }
            items.add(item);
        }
        return items;
    }

    private static JsonNode parse(String body) {
        if (body != null && body.length() > MAX_BODY_CHARS) {
            throw MetadataException.invalid("body", "request body is larger than " + MAX_BODY_CHARS + " characters");
        }
        try {
            return FlowgateJson.parse(body);
        } catch (FlowgateJson.MalformedJsonException e) {
            throw MetadataException.invalid("body", e.getMessage());
        }
    }

    /** An optional string field; null when absent or JSON null. */
    static String string(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw MetadataException.invalid(field, field + " must be a string");
        }
        return value.asText();
    }

    /** A string field that may also arrive as a number (Metaflow sends ids either way). */
    static String stringOrNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber()) {
            return value.asText();
        }
        throw MetadataException.invalid(field, field + " must be a string");
    }

    /**
     * A value stored as text: strings verbatim, any other JSON value as its JSON text (the client sends some
     * metadata values as lists, e.g. {@code foreach-stack}).
     */
    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    static String stringOr(JsonNode node, String field, String fallback) {
        String value = string(node, field);
        return value == null ? fallback : value;
    }

    static int integer(JsonNode node, String field, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.isIntegralNumber() && value.canConvertToInt() && value.asInt() >= 0) {
            return value.asInt();
        }
        if (value.isTextual() && value.asText().matches("\\d{1,9}")) {
            return Integer.parseInt(value.asText());
        }
        throw MetadataException.invalid(field, field + " must be a non-negative integer");
    }

    /** A list of valid tags; null or absent is empty. */
    static Set<String> tags(JsonNode node, String field) {
        JsonNode value = node.get(field);
        Set<String> tags = new LinkedHashSet<>();
        if (value == null || value.isNull()) {
            return tags;
        }
        if (!value.isArray()) {
            throw MetadataException.invalid(field, field + " must be a list of strings");
        }
        for (JsonNode tag : value) {
            if (!tag.isTextual()) {
                throw MetadataException.invalid(field, field + " must contain strings only");
            }
            tags.add(Tags.requireValidTag(field, tag.asText()));
        }
        return tags;
    }

    /** Like {@link #tags} but keeps null for an absent field (flows store exactly what was sent). */
    static List<String> tagsOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return List.copyOf(tags(node, field));
    }
}

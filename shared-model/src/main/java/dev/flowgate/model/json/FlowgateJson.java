package dev.flowgate.model.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson configuration Flowgate uses: build once per container and share (ObjectMapper is
 * thread-safe once configured). Unknown properties are tolerated on input because Metaflow clients send
 * fields we do not need; output is compact and keeps nulls (the Metaflow client expects explicit nulls).
 */
public final class FlowgateJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();
    /** Parsing refuses anything but whitespace after the value ({@code {"a":1} garbage} is not JSON). */
    private static final ObjectReader STRICT_READER = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private FlowgateJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Parses JSON text; malformed input becomes a {@link MalformedJsonException} with a one-line message. That
     * includes trailing content after the value and Jackson's stream limits (nesting depth, number length, string
     * length), which Jackson reports without a location: all of it is the sender's bad input, never a crash.
     */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MalformedJsonException("request body is empty; expected JSON");
        }
        try {
            return STRICT_READER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new MalformedJsonException("request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    /** Input that is not JSON at all. */
    public static final class MalformedJsonException extends IllegalArgumentException {
        public MalformedJsonException(String message) {
            super(message);
        }
    }
}

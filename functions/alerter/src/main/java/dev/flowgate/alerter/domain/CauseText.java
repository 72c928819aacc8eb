package dev.flowgate.alerter.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/**
 * Reads and shortens a Step Functions error cause. A cause is free text of up to 32 KiB: often the JSON of
 * the failed Batch job or Lambda error, sometimes plain text, sometimes neither. Whatever comes in, the
 * result is short, has no control characters and cannot break Slack's code block.
 */
public final class CauseText {
    public static final int MAX_LINES = 6;
    public static final int MAX_CHARS = 900;
    /** Beyond this, a cause is not even parsed: it is text to cut. */
    private static final int MAX_PARSE = 256 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CauseText() {
    }

    /** The cause as a JSON object, when it is one. */
    public static Optional<JsonNode> json(String cause) {
        if (cause == null || cause.length() > MAX_PARSE) {
            return Optional.empty();
        }
        String trimmed = cause.strip();
        if (!trimmed.startsWith("{")) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(trimmed);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The human part of a cause: the Batch status reason, a Lambda error message, or the text itself. */
    public static String readable(String cause) {
        if (cause == null) {
            return "";
        }
        Optional<JsonNode> json = json(cause);
        if (json.isPresent()) {
            JsonNode n = json.get();
            String batch = field(n, "StatusReason", "statusReason");
            if (!batch.isEmpty()) {
                String exit = field(n.path("Container"), "ExitCode", "exitCode");
                String reason = field(n.path("Container"), "Reason", "reason");
                return batch + (exit.isEmpty() ? "" : " (exit code " + exit + ")") + (reason.isEmpty() ? "" : "\n" + reason);
            }
            String message = field(n, "errorMessage", "message");
            if (!message.isEmpty()) {
                StringBuilder text = new StringBuilder(message);
                JsonNode stack = n.path("stackTrace");
                if (stack.isArray()) {
                    stack.forEach(line -> text.append('\n').append(line.isTextual() ? line.asText() : line.toString()));
                }
                return text.toString();
            }
        }
        return cause;
    }

    /** First {@value #MAX_LINES} lines / {@value #MAX_CHARS} characters of the readable cause. */
    public static String shorten(String cause) {
        return shorten(readable(cause), MAX_LINES, MAX_CHARS);
    }

    static String shorten(String text, int maxLines, int maxChars) {
        String clean = clean(text == null ? "" : text);
        String[] lines = clean.split("\n", -1);
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (String line : lines) {
            if (shown == maxLines || out.length() + line.length() > maxChars) {
                break;
            }
            if (shown > 0) {
                out.append('\n');
            }
            out.append(line);
            shown++;
        }
        if (shown == 0 && !clean.isEmpty()) {
            out.append(clean, 0, Math.min(maxChars, clean.length()));
        }
        int omitted = clean.length() - out.length();
        if (omitted > 0) {
            out.append("\n… (").append(omitted).append(" more characters)");
        }
        return out.toString();
    }

    /** No control characters but newlines/tabs, no code-fence breakers, trimmed trailing space. */
    private static String clean(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_PARSE));
        int limit = Math.min(text.length(), MAX_PARSE);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                continue;
            }
            if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
                b.append(c);
            }
        }
        return b.toString().replace("```", "'''").strip();
    }

    static String field(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode v = node.path(name);
            if (v.isValueNode() && !v.isNull() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return "";
    }
}

package dev.flowgate.metadata.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference service's cursor pagination (switched on by {@code _limit} or {@code _cursor}): rows ordered
 * by their sort key descending, {@code _limit} rows a page (default 50, at most 500), and an opaque cursor =
 * base64 of the last row's sort key as JSON. The client never sends these; UIs do.
 */
public final class Pagination {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** One page: its rows, the limit applied, and the cursor of the next page (null on the last). */
    public record Page(List<Map<String, Object>> rows, int limit, String nextCursor) {
    }

    private Pagination() {
    }

    public static boolean requested(Map<String, String> query) {
        return query != null && (query.containsKey("_limit") || query.containsKey("_cursor"));
    }

    /** Pages {@code rows} by {@code keys} (the first is always {@code ts_epoch}), descending. */
    public static Page page(List<Map<String, Object>> rows, List<String> keys, String limitText, String cursor) {
        int limit = limit(limitText);
        Comparator<Map<String, Object>> descending = (a, b) -> compareKeys(b, a, keys);
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        sorted.sort(descending);
        int from = 0;
        if (cursor != null && !cursor.isEmpty()) {
            Map<String, Object> after = decode(cursor, keys);
            while (from < sorted.size() && compareKeys(sorted.get(from), after, keys) >= 0) {
                from++;
            }
        }
        int to = Math.min(sorted.size(), from + limit);
        List<Map<String, Object>> page = List.copyOf(sorted.subList(from, to));
        String next = to < sorted.size() && !page.isEmpty() ? encode(page.get(page.size() - 1), keys) : null;
        return new Page(page, limit, next);
    }

    private static int limit(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        if (!text.matches("\\d{1,9}") || Integer.parseInt(text) < 1) {
            throw MetadataException.invalid("_limit", "_limit must be a positive integer");
        }
        return Math.min(MAX_LIMIT, Integer.parseInt(text));
    }

    private static String encode(Map<String, Object> row, List<String> keys) {
        Map<String, Object> key = new LinkedHashMap<>();
        keys.forEach(k -> key.put(k, row.get(k)));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(FlowgateJson.write(key).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> decode(String cursor, List<String> keys) {
        try {
            JsonNode node = FlowgateJson.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (!node.isObject() || !node.path("ts_epoch").isIntegralNumber()) {
                throw MetadataException.invalid("_cursor", "Invalid cursor");
            }
            Map<String, Object> key = new LinkedHashMap<>();
            for (String k : keys) {
                JsonNode v = node.get(k);
                key.put(k, v == null || v.isNull() ? null : v.isIntegralNumber() ? (Object) v.asLong() : v.asText());
            }
            return key;
        } catch (IllegalArgumentException notBase64OrNotJson) {
            throw MetadataException.invalid("_cursor", "Invalid cursor");
        }
    }

    private static int compareKeys(Map<String, Object> a, Map<String, Object> b, List<String> keys) {
        for (String k : keys) {
            int c = compareValues(a.get(k), b.get(k));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Numbers numerically and before strings; strings lexicographically; null first. */
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Long.compare(x.longValue(), y.longValue());
        }
        if (a instanceof Number) {
            return -1;
        }
        if (b instanceof Number) {
            return 1;
        }
        return a.toString().compareTo(b.toString());
    }
}

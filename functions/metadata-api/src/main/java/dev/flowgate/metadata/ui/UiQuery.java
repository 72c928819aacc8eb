package dev.flowgate.metadata.ui;

import dev.flowgate.metadata.domain.MetadataException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The UI backend's list parameters (facts: metaflow-service {@code services/ui_backend_service/api/utils.py},
 * {@code pagination_query} and {@code filter_from_conditions_query_dict}): {@code _page} (from 1),
 * {@code _limit} (default 10, at most 1000), {@code _order} ({@code +f}/{@code -f}/{@code f}, comma-separated;
 * no sign = descending), {@code _tags}/{@code _tags:all} (every tag, default) or {@code _tags:any}, and column
 * filters {@code field=v1,v2} / {@code field:op=v} with op eq, ne, lt, le, gt, ge, co, sw, ew. Unknown fields and
 * operators are ignored as the reference ignores them; a {@code _page}/{@code _limit} that is not a number is a 400
 * naming it (the reference silently falls back to the default).
 */
public record UiQuery(int page, int limit, List<Order> order, Predicate<Map<String, Object>> filter) {
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 1000;

    public record Order(String field, boolean descending) {
    }

    /** One page of rows and whether the reference would link a next page (a full page means "maybe more"). */
    public record Page(List<Map<String, Object>> rows, int page, int limit, boolean hasNext) {
    }

    public static UiQuery parse(Map<String, String> query, Set<String> allowedFields) {
        int page = Math.max(number(query, "_page", 1), 1);
        int limit = Math.min(number(query, "_limit", DEFAULT_LIMIT), MAX_LIMIT);
        if (limit < 1) {
            throw MetadataException.invalid("_limit", "_limit must be between 1 and " + MAX_LIMIT);
        }
        List<Order> order = new ArrayList<>();
        String orderText = query.get("_order");
        if (orderText != null) {
            for (String part : orderText.split(",")) {
                boolean ascending = part.startsWith("+");
                String field = part.startsWith("+") || part.startsWith("-") ? part.substring(1) : part;
                if (allowedFields.contains(field)) {
                    order.add(new Order(field, !ascending));
                }
            }
        }
        Predicate<Map<String, Object>> filter = row -> true;
        for (Map.Entry<String, String> entry : query.entrySet()) {
            String[] parts = entry.getKey().split(":", 2);
            String field = parts[0];
            String op = parts.length > 1 ? parts[1] : null;
            String value = entry.getValue() == null ? "" : entry.getValue();
            if (field.equals("_tags")) {
                filter = filter.and(tags(List.of(value.split(",")), "any".equals(op)));
            } else if (!field.startsWith("_") && allowedFields.contains(field)) {
                Predicate<Map<String, Object>> column = column(field, op == null ? "eq" : op, value);
                if (column != null) {
                    filter = filter.and(column);
                }
            }
        }
        return new UiQuery(page, limit, List.copyOf(order), filter);
    }

    /** Filters, orders ({@code initial} first, then {@code _order}, then {@code tieBreak}) and cuts the page. */
    public Page apply(List<Map<String, Object>> rows, List<Order> initial, Comparator<Map<String, Object>> tieBreak) {
        List<Map<String, Object>> kept = new ArrayList<>(rows.stream().filter(filter).toList());
        Comparator<Map<String, Object>> comparator = (a, b) -> 0;
        for (Order o : initial) {
            comparator = comparator.thenComparing(by(o));
        }
        for (Order o : order) {
            comparator = comparator.thenComparing(by(o));
        }
        kept.sort(comparator.thenComparing(tieBreak));
        int from = (int) Math.min((long) (page - 1) * limit, kept.size());
        int to = Math.min(from + limit, kept.size());
        List<Map<String, Object>> slice = List.copyOf(kept.subList(from, to));
        return new Page(slice, page, limit, slice.size() >= limit);
    }

    /** Postgres order: NULLs sort as larger than any value (last ascending, first descending). */
    private static Comparator<Map<String, Object>> by(Order order) {
        Comparator<Map<String, Object>> asc = (a, b) -> compare(a.get(order.field()), b.get(order.field()));
        return order.descending() ? asc.reversed() : asc;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == b ? 0 : a == null ? 1 : -1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Long.compare(x.longValue(), y.longValue());
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    private static Predicate<Map<String, Object>> tags(List<String> wanted, boolean any) {
        return row -> {
            List<Object> all = new ArrayList<>();
            if (row.get("tags") instanceof Collection<?> t) {
                all.addAll(t);
            }
            if (row.get("system_tags") instanceof Collection<?> t) {
                all.addAll(t);
            }
            return any ? wanted.stream().anyMatch(all::contains) : all.containsAll(wanted);
        };
    }

    private static Predicate<Map<String, Object>> column(String field, String op, String value) {
        Predicate<Map<String, Object>> anyValue = null;
        for (String term : value.split(",")) {
            Predicate<Object> test = switch (op) {
                case "eq" -> v -> term.equals("null") ? v == null : v != null && v.toString().equals(term);
                case "ne" -> v -> v != null && !v.toString().equals(term);
                case "lt" -> v -> numeric(v, term, c -> c < 0);
                case "le" -> v -> numeric(v, term, c -> c <= 0);
                case "gt" -> v -> numeric(v, term, c -> c > 0);
                case "ge" -> v -> numeric(v, term, c -> c >= 0);
                case "co" -> v -> v != null && v.toString().contains(term);
                case "sw" -> v -> v != null && v.toString().startsWith(term);
                case "ew" -> v -> v != null && v.toString().endsWith(term);
                default -> null;
            };
            if (test == null) {
                return null;
            }
            Predicate<Map<String, Object>> one = row -> test.test(row.get(field));
            anyValue = anyValue == null ? one : anyValue.or(one);
        }
        return anyValue;
    }

    private static boolean numeric(Object v, String term, java.util.function.IntPredicate outcome) {
        try {
            return v != null && outcome.test(Long.compare(Long.parseLong(v.toString()), Long.parseLong(term)));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int number(Map<String, String> query, String field, int fallback) {
        String text = query.get(field);
        if (text == null) {
            return fallback;
        }
        if (!text.matches("-?\\d{1,9}")) {
            throw MetadataException.invalid(field, field + " must be an integer");
        }
        return Integer.parseInt(text);
    }
}

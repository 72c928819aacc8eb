package dev.flowgate.compiler.graphinfo;

import dev.flowgate.compiler.parse.PyExpr;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decorator attribute values in Metaflow's {@code to_pod} forms (metaflow/util.py): str, int, float and bool stay;
 * {@code None} and any other object become their {@code str()} ({@code "None"}); lists, tuples and sets become
 * lists; dicts stay dicts. Two values are the same when they are equal in those forms, reading a number written as
 * a string as the number (Metaflow's own defaults are strings: {@code resources(memory="4096")},
 * {@code retry(minutes_between_retries="2")}, and its decorators cast them).
 */
public final class PodValues {
    private PodValues() {
    }

    /** The {@code to_pod} form of a literal written in the source; empty when it is not a literal. */
    public static Optional<Object> of(PyExpr expr) {
        Object literal = PyExpr.literal(expr);
        return literal == PyExpr.NOT_LITERAL ? Optional.empty() : Optional.of(pod(literal));
    }

    /** A plain value (as JSON or a decoded pickle gives it) in {@code to_pod} form. */
    public static Object pod(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Collection<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(pod(item)));
            return list;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(pod(k)), pod(v)));
            return out;
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }

    /** Equal in {@code to_pod} forms (see the class comment). */
    public static boolean same(Object a, Object b) {
        a = pod(a);
        b = pod(b);
        if (a instanceof Boolean || b instanceof Boolean) {
            return a.equals(b);
        }
        Optional<BigDecimal> na = number(a);
        Optional<BigDecimal> nb = number(b);
        if (na.isPresent() && nb.isPresent() && (a instanceof Number || b instanceof Number)) {
            return na.get().compareTo(nb.get()) == 0;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ia = la.iterator();
            for (Object item : lb) {
                if (!same(ia.next(), item)) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (!ma.keySet().equals(mb.keySet())) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!same(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static Optional<BigDecimal> number(Object value) {
        if (value instanceof Number n) {
            return Optional.of(new BigDecimal(n.toString()));
        }
        if (value instanceof String s && s.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            return Optional.of(new BigDecimal(s));
        }
        return Optional.empty();
    }

    /** The value as a literal the compiler reads, as if it had been written in the source ({@code "None"} → None). */
    public static PyExpr toExpr(Object value) {
        value = pod(value);
        if ("None".equals(value)) {
            return new PyExpr.None();
        }
        if (value instanceof String s) {
            return new PyExpr.Str(s, show(s));
        }
        if (value instanceof Boolean b) {
            return new PyExpr.Bool(b);
        }
        if (value instanceof Number n) {
            return new PyExpr.Num(n.toString());
        }
        if (value instanceof List<?> list) {
            List<PyExpr> items = new ArrayList<>();
            list.forEach(item -> items.add(toExpr(item)));
            return new PyExpr.Seq(items, show(value));
        }
        if (value instanceof Map<?, ?> map) {
            Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
            map.forEach((k, v) -> entries.put(new PyExpr.Str(String.valueOf(k), show(String.valueOf(k))), toExpr(v)));
            return new PyExpr.Dict(entries, show(value));
        }
        return new PyExpr.Str(String.valueOf(value), show(String.valueOf(value)));
    }

    /** Python-like text of a value for messages: strings quoted, {@code None} bare. */
    public static String show(Object value) {
        value = pod(value);
        if ("None".equals(value)) {
            return "None";
        }
        if (value instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(show(item)));
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof Map<?, ?> map) {
            List<String> items = new ArrayList<>();
            map.forEach((k, v) -> items.add(show(String.valueOf(k)) + ": " + show(v)));
            return "{" + String.join(", ", items) + "}";
        }
        return String.valueOf(value);
    }
}

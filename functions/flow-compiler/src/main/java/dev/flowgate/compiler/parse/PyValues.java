package dev.flowgate.compiler.parse;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values {@link ConstantFolder} computes, with Python's {@code str}, {@code repr}, equality, ordering and
 * truth: int is {@link BigInteger}, float {@link Double}, bool {@link Boolean}, str {@link String}, None
 * {@link #NONE}, and {@link PyList} / {@link PyTuple} / {@link PyDict}.
 */
final class PyValues {
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private PyValues() {
    }

    /** A list; {@code weight} is its size counted in items and string characters, nested (see {@link #weight}). */
    record PyList(List<Object> items, long weight) {
        PyList(List<Object> items) {
            this(List.copyOf(items), 1 + items.stream().mapToLong(PyValues::weight).sum());
        }
    }

    record PyTuple(List<Object> items, long weight) {
        PyTuple(List<Object> items) {
            this(List.copyOf(items), 1 + items.stream().mapToLong(PyValues::weight).sum());
        }
    }

    /** How big a value is: 1 per number, None or container, 1 per character of a string. */
    static long weight(Object v) {
        if (v instanceof String s) {
            return Math.max(1, s.length());
        }
        if (v instanceof PyList l) {
            return l.weight();
        }
        if (v instanceof PyTuple t) {
            return t.weight();
        }
        if (v instanceof PyDict d) {
            return d.weight;
        }
        return 1;
    }

    /** A dict in insertion order; keys are looked up by Python equality (1 == 1.0 == True). */
    static final class PyDict {
        private final Map<Object, Object> keys = new LinkedHashMap<>();
        private final Map<Object, Object> values = new LinkedHashMap<>();
        private long weight = 1;

        void put(Object key, Object value) {
            Object hashed = hashKey(key);
            if (keys.putIfAbsent(hashed, key) == null) {
                weight += weight(key);
            }
            Object old = values.put(hashed, value);
            weight += weight(value) - (old == null ? 0 : weight(old));
        }

        Object get(Object key) {
            return values.get(hashKey(key));
        }

        boolean contains(Object key) {
            return values.containsKey(hashKey(key));
        }

        int size() {
            return values.size();
        }

        List<Object> keys() {
            return new ArrayList<>(keys.values());
        }

        List<Object> values() {
            return new ArrayList<>(values.values());
        }
    }

    /** Raised for what Python would raise: the flow could not even be imported. */
    static final class PyError extends RuntimeException {
        PyError(String type, String message) {
            super(type + ": " + message);
        }
    }

    static PyError typeError(String message) {
        return new PyError("TypeError", message);
    }

    /** A key with Python's hash equality: numbers by value, tuples by items; lists and dicts are unhashable. */
    static Object hashKey(Object key) {
        if (key instanceof Boolean b) {
            return BigInteger.valueOf(b ? 1 : 0);
        }
        if (key instanceof Double d && !d.isNaN() && !d.isInfinite() && d == Math.rint(d)) {
            return new BigDecimal(d).toBigInteger();
        }
        if (key instanceof PyTuple t) {
            return new PyTuple(t.items().stream().map(PyValues::hashKey).toList());
        }
        if (key instanceof PyList || key instanceof PyDict) {
            throw typeError("unhashable type: '" + typeName(key) + "'");
        }
        return key;
    }

    static String typeName(Object v) {
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof BigInteger) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof PyList) {
            return "list";
        }
        if (v instanceof PyTuple) {
            return "tuple";
        }
        if (v instanceof PyDict) {
            return "dict";
        }
        return "NoneType";
    }

    static boolean truthy(Object v) {
        if (v == NONE) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof BigInteger i) {
            return i.signum() != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof PyList l) {
            return !l.items().isEmpty();
        }
        if (v instanceof PyTuple t) {
            return !t.items().isEmpty();
        }
        return ((PyDict) v).size() > 0;
    }

    static boolean isNumber(Object v) {
        return v instanceof BigInteger || v instanceof Boolean || v instanceof Double;
    }

    /** An int or bool as BigInteger, else null. */
    static BigInteger asInt(Object v) {
        if (v instanceof BigInteger i) {
            return i;
        }
        if (v instanceof Boolean b) {
            return BigInteger.valueOf(b ? 1 : 0);
        }
        return null;
    }

    /** A number as a float, raising OverflowError as Python does for an int too large. */
    static double asFloat(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        BigInteger i = asInt(v);
        if (i.bitLength() > 1024) {
            double d = i.doubleValue();
            if (Double.isInfinite(d)) {
                throw new PyError("OverflowError", "int too large to convert to float");
            }
            return d;
        }
        return i.doubleValue();
    }

    static boolean equal(Object a, Object b) {
        if (a instanceof Double d && d.isNaN() || b instanceof Double e && e.isNaN()) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b) == 0;
        }
        if (a instanceof PyList x && b instanceof PyList y) {
            return equalItems(x.items(), y.items());
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            return equalItems(x.items(), y.items());
        }
        if (a instanceof PyDict x && b instanceof PyDict y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Object key : x.keys()) {
                if (!y.contains(key) || !equal(x.get(key), y.get(key))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static boolean equalItems(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Exact comparison of two numbers (NaN compares as unordered: callers check it first). */
    static int compareNumbers(Object a, Object b) {
        BigInteger x = asInt(a);
        BigInteger y = asInt(b);
        if (x != null && y != null) {
            return x.compareTo(y);
        }
        double dx = x == null ? (Double) a : 0;
        double dy = y == null ? (Double) b : 0;
        if (x == null && y == null) {
            return dx < dy ? -1 : dx > dy ? 1 : 0;
        }
        double f = x == null ? dx : dy;
        if (Double.isNaN(f)) {
            return 2; // unordered
        }
        if (Double.isInfinite(f)) {
            int sign = f > 0 ? 1 : -1;
            return x == null ? sign : -sign;
        }
        BigDecimal left = x == null ? new BigDecimal(dx) : new BigDecimal(x);
        BigDecimal right = y == null ? new BigDecimal(dy) : new BigDecimal(y);
        return left.compareTo(right);
    }

    /** Python's {@code <}: -1, 0 or 1; NaN involvement gives 2 (every ordering is False). */
    static int order(Object a, Object b, String op) {
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double d && d.isNaN() || b instanceof Double e && e.isNaN()) {
                return 2;
            }
            return Integer.signum(compareNumbers(a, b));
        }
        if (a instanceof String x && b instanceof String y) {
            return Integer.signum(compareCodePoints(x, y));
        }
        if (a instanceof PyList x && b instanceof PyList y) {
            return orderItems(x.items(), y.items(), op);
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            return orderItems(x.items(), y.items(), op);
        }
        throw typeError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static int orderItems(List<Object> a, List<Object> b, String op) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return order(a.get(i), b.get(i), op);
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Python's {@code str(v)}. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        return repr(v);
    }

    /** Python's {@code repr(v)}. */
    static String repr(Object v) {
        if (v == NONE) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof BigInteger i) {
            return i.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            return stringRepr(s);
        }
        if (v instanceof PyList l) {
            return "[" + String.join(", ", l.items().stream().map(PyValues::repr).toList()) + "]";
        }
        if (v instanceof PyTuple t) {
            List<String> items = t.items().stream().map(PyValues::repr).toList();
            return "(" + String.join(", ", items) + (items.size() == 1 ? ",)" : ")");
        }
        PyDict d = (PyDict) v;
        StringBuilder out = new StringBuilder("{");
        List<Object> keys = d.keys();
        for (int i = 0; i < keys.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(repr(keys.get(i))).append(": ").append(repr(d.get(keys.get(i))));
        }
        return out.append('}').toString();
    }

    /** Python's {@code ascii(v)}: repr with every non-ASCII character escaped. */
    static String ascii(Object v) {
        String r = repr(v);
        StringBuilder out = new StringBuilder();
        r.codePoints().forEach(c -> {
            if (c < 128) {
                out.append((char) c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        });
        return out.toString();
    }

    static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 128 || printable(c)) {
                out.appendCodePoint(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        });
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable()} for one character: not Other (Cc, Cf, Cs, Co, Cn) nor a separator but space. */
    private static boolean printable(int c) {
        int type = Character.getType(c);
        return !(type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR && c != ' ');
    }

    /** Python's {@code repr(float)}: the shortest digits that read back as the same double. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                shortest = candidate;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = shortest.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}

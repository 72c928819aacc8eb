package dev.flowgate.compiler.asl;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The text Python's {@code json.dumps(value)} produces with its defaults ({@code ", "} and {@code ": "}
 * separators, non-ASCII escaped as {@code \\uXXXX}), for the values Metaflow serialises into the environment and
 * command of a step ({@code METAFLOW_DEFAULT_PARAMETERS}, {@code METAFLOW_FLOW_CONFIG_VALUE}, Batch tags). Producing
 * the same bytes keeps a Flowgate state machine comparable, value for value, with Metaflow's.
 */
final class PythonJson {
    private PythonJson() {
    }

    /** {@code value}: String, Long/Integer, Double, Boolean, null, List or Map of these (literal flow values). */
    static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double d) {
            out.append(pythonFloat(d));
        } else if (value instanceof Number n) {
            out.append(n.longValue());
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                write(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(first ? "" : ", ");
                first = false;
                string(String.valueOf(entry.getKey()), out);
                out.append(": ");
                write(entry.getValue(), out);
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getSimpleName());
        }
    }

    /** Python's {@code repr(float)} for the values flows write: {@code 0.5}, {@code 2.0}, {@code 1e-05}. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        double abs = Math.abs(d);
        if (abs != 0 && (abs < 1e-4 || abs >= 1e16)) {
            // Python switches to exponent notation here: 1e-05, 1.5e+16
            BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            String digits = exact.unscaledValue().abs().toString();
            int exponent = digits.length() - 1 - exact.scale();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

package dev.flowgate.compiler.parse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values a flow's structure is written in: literals, containers of them, dotted names
 * ({@code self.train}, {@code metaflow.batch}) and calls. An expression over constants (arithmetic, f-strings,
 * allow-listed builtins, ...) arrives here already computed as its literal ({@link ConstantFolder}); any other
 * expression (comprehensions, lambdas, method calls) is kept as {@link Opaque} source text: it is never run.
 */
public sealed interface PyExpr {
    /** The source text, approximately as written. */
    String source();

    record Str(String value, String source) implements PyExpr {
    }

    record Num(String text) implements PyExpr {
        public String source() {
            return text;
        }

        public boolean isInteger() {
            return text.matches("-?[0-9_]+");
        }

        public double asDouble() {
            return Double.parseDouble(text.replace("_", ""));
        }
    }

    record Bool(boolean value) implements PyExpr {
        public String source() {
            return value ? "True" : "False";
        }
    }

    record None() implements PyExpr {
        public String source() {
            return "None";
        }
    }

    /** A list or tuple. */
    record Seq(List<PyExpr> items, String source) implements PyExpr {
    }

    record Dict(Map<PyExpr, PyExpr> entries, String source) implements PyExpr {
    }

    /** A name or dotted name: {@code x}, {@code self.train}, {@code metaflow.batch}. */
    record Dotted(List<String> parts) implements PyExpr {
        public String source() {
            return String.join(".", parts);
        }
    }

    record Call(Dotted function, List<PyExpr> args, Map<String, PyExpr> kwargs, String source) implements PyExpr {
        public Call {
            kwargs = new LinkedHashMap<>(kwargs);
        }
    }

    record Opaque(String source) implements PyExpr {
    }

    /** A plain JSON-like value (String, Long, Double, Boolean, null, List, Map) when the expression is a literal. */
    static Object literal(PyExpr expr) {
        if (expr instanceof Str s) {
            return s.value();
        } else if (expr instanceof Num n) {
            if (!n.isInteger()) {
                return n.asDouble();
            }
            java.math.BigInteger value = new java.math.BigInteger(n.text().replace("_", ""));
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        } else if (expr instanceof Bool b) {
            return b.value();
        } else if (expr instanceof None) {
            return null;
        } else if (expr instanceof Seq seq) {
            List<Object> values = new java.util.ArrayList<>();
            for (PyExpr item : seq.items()) {
                Object v = literal(item);
                if (v == NOT_LITERAL) {
                    return NOT_LITERAL;
                }
                values.add(v);
            }
            return values;
        } else if (expr instanceof Dict dict) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<PyExpr, PyExpr> e : dict.entries().entrySet()) {
                Object k = literal(e.getKey());
                Object v = literal(e.getValue());
                if (k == NOT_LITERAL || v == NOT_LITERAL || k == null) {
                    return NOT_LITERAL;
                }
                values.put(String.valueOf(k), v);
            }
            return values;
        }
        return NOT_LITERAL;
    }

    /** Marker returned by {@link #literal} for expressions that are not literals. */
    Object NOT_LITERAL = new Object() {
        @Override
        public String toString() {
            return "<not a literal>";
        }
    };
}

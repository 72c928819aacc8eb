package dev.flowgate.compiler.parse;

import java.util.List;

/**
 * The syntax tree of one Python expression as {@link ExprParser} reads it: the subset {@link ConstantFolder} can
 * compute, plus {@link Unsupported} for any other expression (kept as source text). Never leaves the package: the
 * folder turns it into {@link PyExpr} values.
 */
sealed interface PyAst {
    /** The source text, approximately as written. */
    String source();

    /** Tokens [from, to) of an expression; the text is joined on first use (long operator chains stay linear). */
    final class Span {
        private final List<Token> tokens;
        private final int from;
        private final int to;
        private String text;

        Span(List<Token> tokens, int from, int to) {
            this.tokens = tokens;
            this.from = from;
            this.to = to;
        }

        String text() {
            if (text == null) {
                text = ExprParser.sourceOf(tokens, from, to);
            }
            return text;
        }
    }

    /** A number, string (already decoded), True/False or None: value is BigInteger, Double, String, Boolean or null. */
    record Const(Object value, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** An f-string (possibly implicitly concatenated with plain strings): literal text and replacement fields. */
    record FString(List<FPart> parts, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    sealed interface FPart {
    }

    record FText(String text) implements FPart {
    }

    /** {@code {expr!conversion:spec}}; {@code debugText} is {@code "expr="} for the self-documenting form. */
    record FField(PyAst expr, String debugText, char conversion, List<FPart> spec) implements FPart {
    }

    record Name(String id) implements PyAst {
        public String source() {
            return id;
        }
    }

    record Attribute(PyAst value, String attr, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** A call argument: positional ({@code name} null, {@code star} 0), {@code *x} (1), {@code **x} (2) or keyword. */
    record Arg(String name, int star, PyAst value) {
    }

    record Call(PyAst function, List<Arg> args, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    record Subscript(PyAst value, PyAst index, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** {@code lower:upper:step} inside brackets; absent parts are null. */
    record Slice(PyAst lower, PyAst upper, PyAst step, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    record BinOp(String op, PyAst left, PyAst right, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    record UnaryOp(String op, PyAst operand, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** {@code and} / {@code or} over two or more operands. */
    record BoolOp(String op, List<PyAst> values, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** {@code a < b <= c}: ops.get(i) compares operands i and i + 1 ({@code not in}, {@code is not} as one op). */
    record Compare(List<PyAst> operands, List<String> ops, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    record IfExp(PyAst test, PyAst body, PyAst orElse, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** {@code *x} inside a list or tuple display. */
    record Starred(PyAst value, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    record ListDisplay(List<PyAst> items, boolean tuple, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** A dict display; an entry with a null key is {@code **value}. */
    record DictDisplay(List<PyAst> keys, List<PyAst> values, Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }

    /** Any other expression (lambda, comprehension, set, walrus, bytes, ...): never computed. */
    record Unsupported(Span span) implements PyAst {
        public String source() {
            return span.text();
        }
    }
}

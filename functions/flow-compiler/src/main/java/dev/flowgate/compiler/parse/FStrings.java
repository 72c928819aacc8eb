package dev.flowgate.compiler.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an f-string literal (one STRING token, as {@link Tokenizer} reads it with Python 3.12's rules) into literal
 * text and replacement fields {@code {expression=!conversion:format_spec}}, the format spec itself holding nested
 * fields. Escapes are decoded unless the string is raw; {@code {{}} and {@code }}} are literal braces.
 */
final class FStrings {
    private final String body;
    private final boolean raw;
    private final int depth;
    private int pos;
    /** Replacement fields nested in format specs (Python allows two levels). */
    private int nesting;

    private FStrings(String body, boolean raw, int depth) {
        this.body = body;
        this.raw = raw;
        this.depth = depth;
    }

    /** The parts of the f-string token {@code text}, or null when a field is not an expression the parser reads. */
    static List<PyAst.FPart> parse(String text, int depth) {
        int i = 0;
        boolean raw = false;
        while ("rRbBuUfF".indexOf(text.charAt(i)) >= 0) {
            raw |= Character.toLowerCase(text.charAt(i)) == 'r';
            if (Character.toLowerCase(text.charAt(i)) == 'b') {
                return null;
            }
            i++;
        }
        char q = text.charAt(i);
        boolean triple = text.length() - i >= 6 && text.charAt(i + 1) == q && text.charAt(i + 2) == q;
        String body = triple ? text.substring(i + 3, text.length() - 3) : text.substring(i + 1, text.length() - 1);
        FStrings parser = new FStrings(body, raw, depth);
        List<PyAst.FPart> parts = parser.parts(false);
        return parts != null && parser.pos == body.length() ? parts : null;
    }

    /** Literal text and fields up to the end (or, in a format spec, up to the closing '}', not consumed). */
    private List<PyAst.FPart> parts(boolean inSpec) {
        List<PyAst.FPart> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (pos < body.length()) {
            char c = body.charAt(pos);
            if (c == '{' && !inSpec && pos + 1 < body.length() && body.charAt(pos + 1) == '{') {
                literal.append('{');
                pos += 2;
            } else if (c == '}' && !inSpec && pos + 1 < body.length() && body.charAt(pos + 1) == '}') {
                literal.append('}');
                pos += 2;
            } else if (c == '}') {
                if (!inSpec) {
                    return null; // a single '}' is a SyntaxError
                }
                break;
            } else if (c == '{') {
                flush(literal, parts);
                pos++;
                PyAst.FField field = field();
                if (field == null) {
                    return null;
                }
                parts.add(field);
            } else if (c == '\\' && !raw && pos + 1 < body.length()) {
                int end = escapeEnd(pos);
                literal.append(ExprParser.unescape(body.substring(pos, end)));
                pos = end;
            } else if (c == '\\' && pos + 1 < body.length()) {
                literal.append(c).append(body.charAt(pos + 1));
                pos += 2;
            } else {
                literal.append(c);
                pos++;
            }
        }
        flush(literal, parts);
        return parts;
    }

    private int escapeEnd(int at) {
        if (body.charAt(at + 1) == 'N' && at + 2 < body.length() && body.charAt(at + 2) == '{') {
            int close = body.indexOf('}', at);
            return close < 0 ? at + 2 : close + 1;
        }
        return at + 2;
    }

    private static void flush(StringBuilder literal, List<PyAst.FPart> parts) {
        if (!literal.isEmpty()) {
            parts.add(new PyAst.FText(literal.toString()));
            literal.setLength(0);
        }
    }

    /** After '{': expression, optional '=', '!x' and ':spec', through the closing '}'; null when nested too deeply. */
    private PyAst.FField field() {
        if (++nesting > 20) {
            return null;
        }
        try {
            return readField();
        } finally {
            nesting--;
        }
    }

    private PyAst.FField readField() {
        int start = pos;
        int brackets = 0;
        int exprEnd = -1;
        String debugText = null;
        while (pos < body.length()) {
            char c = body.charAt(pos);
            if (c == '\'' || c == '"' || isPrefixedString(pos)) {
                pos = skipString(pos);
                if (pos < 0) {
                    return null;
                }
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                brackets++;
            } else if ((c == ')' || c == ']' || c == '}') && brackets > 0) {
                brackets--;
            } else if (brackets == 0 && (c == '}' || c == ':' || c == '!' && next(1) != '=')) {
                exprEnd = pos;
                break;
            } else if (brackets == 0 && c == '=' && next(1) != '=' && "=!<>".indexOf(prev()) < 0) {
                int after = pos + 1;
                while (after < body.length() && Character.isWhitespace(body.charAt(after))) {
                    after++;
                }
                if (after < body.length() && "}!:".indexOf(body.charAt(after)) >= 0) {
                    exprEnd = pos;
                    debugText = body.substring(start, after);
                    pos = after;
                    break;
                }
            } else if (c == '#') {
                while (pos < body.length() && body.charAt(pos) != '\n') {
                    pos++; // a comment inside a multi-line field (Python 3.12)
                }
                continue;
            }
            pos++;
        }
        if (exprEnd < 0) {
            return null;
        }
        String expressionText = body.substring(start, exprEnd);
        if (expressionText.isBlank()) {
            return null;
        }
        List<Token> tokens;
        try {
            tokens = Tokenizer.tokenize("(" + expressionText + ")");
        } catch (SyntaxProblem unreadable) {
            return null;
        }
        PyAst expression = ExprParser.field(tokens, depth);
        if (expression == null) {
            return null;
        }
        char conversion = 0;
        if (body.charAt(pos) == '!') {
            if (pos + 1 >= body.length() || "rsa".indexOf(body.charAt(pos + 1)) < 0) {
                return null;
            }
            conversion = body.charAt(pos + 1);
            pos += 2;
        }
        List<PyAst.FPart> spec = List.of();
        if (pos < body.length() && body.charAt(pos) == ':') {
            pos++;
            spec = parts(true);
            if (spec == null) {
                return null;
            }
        }
        if (pos >= body.length() || body.charAt(pos) != '}') {
            return null;
        }
        pos++;
        if (debugText != null && conversion == 0 && spec.isEmpty()) {
            conversion = 'r';
        }
        return new PyAst.FField(expression, debugText, conversion, spec);
    }

    private char next(int ahead) {
        return pos + ahead < body.length() ? body.charAt(pos + ahead) : 0;
    }

    private char prev() {
        return pos > 0 ? body.charAt(pos - 1) : 0;
    }

    private boolean isPrefixedString(int at) {
        if (at > 0 && (Character.isLetterOrDigit(body.charAt(at - 1)) || body.charAt(at - 1) == '_')) {
            return false;
        }
        int p = at;
        while (p < body.length() && p < at + 2 && "rRbBuUfF".indexOf(body.charAt(p)) >= 0) {
            p++;
        }
        return p > at && p < body.length() && (body.charAt(p) == '\'' || body.charAt(p) == '"');
    }

    /** The position after a string literal (any prefix, nested f-string fields included) at {@code at}; -1 if unclosed. */
    private int skipString(int at) {
        int p = at;
        boolean formatted = false;
        while ("rRbBuUfF".indexOf(body.charAt(p)) >= 0) {
            formatted |= Character.toLowerCase(body.charAt(p)) == 'f';
            p++;
        }
        char q = body.charAt(p);
        boolean triple = p + 2 < body.length() && body.charAt(p + 1) == q && body.charAt(p + 2) == q;
        p += triple ? 3 : 1;
        int braces = 0;
        while (p < body.length()) {
            char c = body.charAt(p);
            if (c == '\\') {
                p += 2;
                continue;
            }
            if (formatted && c == '{') {
                braces++;
            } else if (formatted && c == '}' && braces > 0) {
                braces--;
            } else if (c == q && braces == 0) {
                if (!triple) {
                    return p + 1;
                }
                if (p + 2 < body.length() && body.charAt(p + 1) == q && body.charAt(p + 2) == q) {
                    return p + 3;
                }
            } else if (c == q && braces > 0) {
                int inner = skipString(p);
                if (inner < 0) {
                    return -1;
                }
                p = inner;
                continue;
            }
            p++;
        }
        return -1;
    }
}

package dev.flowgate.compiler.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one expression from a token list starting at a position. Literals, containers, dotted names and
 * calls are understood; any other expression is consumed up to the next delimiter at bracket depth 0 and
 * kept as {@link PyExpr.Opaque}. Nothing is evaluated.
 */
final class ExprParser {
    private final List<Token> tokens;
    int pos;

    ExprParser(List<Token> tokens, int pos) {
        this.tokens = tokens;
        this.pos = pos;
    }

    Token peek() {
        return tokens.get(pos);
    }

    Token next() {
        return tokens.get(pos++);
    }

    /** An expression ending at a depth-0 {@code , ) ] } :} or {@code =} (keyword), or at NEWLINE. */
    PyExpr expression() {
        int start = pos;
        PyExpr simple = trySimple();
        if (simple != null && atDelimiter()) {
            return simple;
        }
        pos = start;
        skipToDelimiter();
        return new PyExpr.Opaque(sourceOf(start, pos));
    }

    private PyExpr trySimple() {
        try {
            return simple();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private PyExpr simple() {
        Token t = next();
        switch (t.kind()) {
            case STRING: {
                StringBuilder value = new StringBuilder();
                boolean opaque = false;
                int start = pos - 1;
                Token s = t;
                while (true) {
                    String decoded = decodeString(s.text());
                    if (decoded == null) {
                        opaque = true;
                    } else {
                        value.append(decoded);
                    }
                    if (peek().kind() == Token.Kind.STRING) {
                        s = next();
                    } else {
                        break;
                    }
                }
                return opaque ? new PyExpr.Opaque(sourceOf(start, pos)) : new PyExpr.Str(value.toString(), sourceOf(start, pos));
            }
            case NUMBER:
                return new PyExpr.Num(t.text());
            case OP:
                if (t.text().equals("-") && peek().kind() == Token.Kind.NUMBER) {
                    return new PyExpr.Num("-" + next().text());
                }
                if (t.text().equals("[") || t.text().equals("(")) {
                    return sequence(t.text().equals("[") ? "]" : ")", pos - 1);
                }
                if (t.text().equals("{")) {
                    return dict(pos - 1);
                }
                throw new IllegalStateException("not simple");
            case NAME:
                switch (t.text()) {
                    case "True":
                        return new PyExpr.Bool(true);
                    case "False":
                        return new PyExpr.Bool(false);
                    case "None":
                        return new PyExpr.None();
                    case "lambda": case "not": case "await": case "yield":
                        throw new IllegalStateException("not simple");
                    default:
                        return dottedOrCall(t);
                }
            default:
                throw new IllegalStateException("not simple");
        }
    }

    private PyExpr dottedOrCall(Token first) {
        int start = pos - 1;
        List<String> parts = new ArrayList<>(List.of(first.text()));
        while (peek().isOp(".") && tokens.get(pos + 1).kind() == Token.Kind.NAME) {
            pos++;
            parts.add(next().text());
        }
        PyExpr.Dotted dotted = new PyExpr.Dotted(parts);
        if (!peek().isOp("(")) {
            return dotted;
        }
        pos++;
        List<PyExpr> args = new ArrayList<>();
        Map<String, PyExpr> kwargs = new LinkedHashMap<>();
        arguments(")", args, kwargs);
        return new PyExpr.Call(dotted, args, kwargs, sourceOf(start, pos));
    }

    /** Reads call arguments after '(' up to and including the closing bracket. */
    void arguments(String close, List<PyExpr> args, Map<String, PyExpr> kwargs) {
        while (!peek().isOp(close)) {
            if (peek().isOp("*") || peek().isOp("**")) {
                int start = pos;
                pos++;
                expression();
                args.add(new PyExpr.Opaque(sourceOf(start, pos)));
            } else if (peek().kind() == Token.Kind.NAME && tokens.get(pos + 1).isOp("=")) {
                String key = next().text();
                pos++;
                kwargs.put(key, expression());
            } else {
                args.add(expression());
            }
            if (peek().isOp(",")) {
                pos++;
            } else if (!peek().isOp(close)) {
                throw new SyntaxProblem(peek().line(), "expected ',' or '" + close + "' but found '" + peek().text() + "'");
            }
        }
        pos++;
    }

    private PyExpr sequence(String close, int start) {
        List<PyExpr> items = new ArrayList<>();
        while (!peek().isOp(close)) {
            items.add(expression());
            if (items.get(items.size() - 1) instanceof PyExpr.Opaque o && o.source().startsWith("for ")) {
                throw new IllegalStateException("comprehension");
            }
            if (peek().isOp(",")) {
                pos++;
            } else if (!peek().isOp(close)) {
                throw new IllegalStateException("not a plain sequence");
            }
        }
        pos++;
        return new PyExpr.Seq(items, sourceOf(start, pos));
    }

    private PyExpr dict(int start) {
        Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
        while (!peek().isOp("}")) {
            PyExpr key = expression();
            if (!peek().isOp(":")) {
                throw new IllegalStateException("set or comprehension");
            }
            pos++;
            entries.put(key, expression());
            if (peek().isOp(",")) {
                pos++;
            } else if (!peek().isOp("}")) {
                throw new IllegalStateException("not a plain dict");
            }
        }
        pos++;
        return new PyExpr.Dict(entries, sourceOf(start, pos));
    }

    boolean atDelimiter() {
        Token t = peek();
        return t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.END
                || (t.kind() == Token.Kind.OP && (t.text().equals(",") || t.text().equals(")") || t.text().equals("]")
                || t.text().equals("}") || t.text().equals(":") || t.text().equals("=") || t.text().equals(";")));
    }

    void skipToDelimiter() {
        int depth = 0;
        int openLambdas = 0;
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.END || (depth == 0 && t.kind() == Token.Kind.NEWLINE)) {
                return;
            }
            if (depth == 0 && t.isName("lambda")) {
                openLambdas++;
            }
            if (t.kind() == Token.Kind.OP) {
                String op = t.text();
                if (depth == 0 && op.equals(":") && openLambdas > 0) {
                    openLambdas--;
                    pos++;
                    continue;
                }
                if (depth == 0 && (op.equals(",") || op.equals(")") || op.equals("]") || op.equals("}") || op.equals(";")
                        || op.equals(":") || op.equals("="))) {
                    return;
                }
                if ("([{".contains(op)) {
                    depth++;
                } else if (")]}".contains(op)) {
                    depth--;
                }
            }
            pos++;
        }
    }

    String sourceOf(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            if (b.length() > 0 && !(t.isOp(")") || t.isOp("]") || t.isOp(",") || t.isOp(".") || t.isOp("(") && i > from
                    && tokens.get(i - 1).kind() == Token.Kind.NAME) && !tokens.get(i - 1).isOp(".") && !tokens.get(i - 1).isOp("(")
                    && !tokens.get(i - 1).isOp("[")) {
                b.append(' ');
            }
            b.append(t.text());
        }
        return b.toString();
    }

    /** The value of a plain (non-f, non-bytes) string literal, or null when it is an f-string or bytes. */
    static String decodeString(String text) {
        int i = 0;
        boolean raw = false;
        while ("rRbBuUfF".indexOf(text.charAt(i)) >= 0) {
            char p = Character.toLowerCase(text.charAt(i));
            if (p == 'f' || p == 'b') {
                return null;
            }
            raw |= p == 'r';
            i++;
        }
        char q = text.charAt(i);
        boolean triple = text.length() - i >= 6 && text.charAt(i + 1) == q && text.charAt(i + 2) == q;
        String body = triple ? text.substring(i + 3, text.length() - 3) : text.substring(i + 1, text.length() - 1);
        if (raw) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c != '\\' || k + 1 >= body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++k);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case '\n' -> { }
                case '0' -> out.append('\0');
                default -> out.append('\\').append(e);
            }
        }
        return out.toString();
    }
}

package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.PyAst.Span;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one Python expression from a token list starting at a position, into a {@link PyAst}: Python's expression
 * grammar (conditional, boolean, comparison, bitwise, arithmetic and unary operators with their precedence,
 * calls, attributes, subscripts and slices, list/tuple/dict displays with {@code *}/{@code **}, strings and
 * f-strings). Any other expression (lambda, comprehension, set, walrus, ...) is consumed up to the next delimiter
 * at bracket depth 0 and kept as {@link PyAst.Unsupported}. Nothing is evaluated.
 *
 * <p>Backtracking is explicit: every grammar method returns {@code null} when the tokens at the position are not
 * in the grammar (the caller resets the position it marked); no exception is thrown or caught for it.
 */
final class ExprParser {
    /** Nesting (brackets, unary operators, right-associative chains) beyond this is not read: Python's own limit is near 200. */
    private static final int MAX_DEPTH = 100;
    private static final Set<String> KEYWORDS = Set.of("False", "None", "True", "and", "as", "assert", "async", "await",
            "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
            "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");
    private static final Set<String> COMPARISONS = Set.of("<", ">", "==", ">=", "<=", "!=");

    private final List<Token> tokens;
    int pos;
    private int depth;

    ExprParser(List<Token> tokens, int pos) {
        this.tokens = tokens;
        this.pos = pos;
    }

    private ExprParser(List<Token> tokens, int pos, int depth) {
        this(tokens, pos);
        this.depth = depth;
    }

    Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    /** An expression ending at a depth-0 {@code , ) ] } :} or {@code =} (keyword), or at NEWLINE. */
    PyAst expression() {
        int start = pos;
        PyAst parsed = test();
        if (parsed != null && atDelimiter()) {
            return parsed;
        }
        pos = start;
        skipToDelimiter();
        return new PyAst.Unsupported(span(start));
    }

    /**
     * Reads call arguments after '(' up to and including the closing bracket; {@code null} (position unspecified)
     * when they are not a plain argument list, e.g. a generator expression or a missing comma.
     */
    List<PyAst.Arg> arguments(String close) {
        List<PyAst.Arg> args = new ArrayList<>();
        while (!peek().isOp(close)) {
            if (peek().isOp("*") || peek().isOp("**")) {
                int star = next().text().length();
                args.add(new PyAst.Arg(null, star, expression()));
            } else if (peek().kind() == Token.Kind.NAME && peek(1).isOp("=") && !KEYWORDS.contains(peek().text())) {
                String key = next().text();
                pos++;
                args.add(new PyAst.Arg(key, 0, expression()));
            } else {
                PyAst item = item();
                if (item == null) {
                    return null;
                }
                args.add(new PyAst.Arg(null, 0, item));
            }
            if (peek().isOp(",")) {
                pos++;
            } else if (!peek().isOp(close)) {
                return null;
            }
        }
        pos++;
        return args;
    }

    /** An item of a display or argument list; null when a comprehension ({@code for}) follows it. */
    private PyAst item() {
        int start = pos;
        PyAst parsed = test();
        if (parsed != null && (peek().isName("for") || peek().isName("async"))) {
            return null;
        }
        if (parsed != null && atDelimiter()) {
            return parsed;
        }
        pos = start;
        skipToDelimiter();
        if (peek().isName("for") || peek().isName("async")) {
            return null;
        }
        return new PyAst.Unsupported(span(start));
    }

    private PyAst test() {
        if (peek().isName("lambda")) {
            return null;
        }
        int start = pos;
        PyAst body = orTest();
        if (body == null || !peek().isName("if")) {
            return body;
        }
        if (!enter()) {
            return null;
        }
        try {
            pos++;
            PyAst condition = orTest();
            if (condition == null || !peek().isName("else")) {
                return null;
            }
            pos++;
            PyAst orElse = test();
            return orElse == null ? null : new PyAst.IfExp(condition, body, orElse, span(start));
        } finally {
            depth--;
        }
    }

    private PyAst orTest() {
        return boolChain("or");
    }

    private PyAst boolChain(String op) {
        int start = pos;
        PyAst first = op.equals("or") ? boolChain("and") : notTest();
        if (first == null || !peek().isName(op)) {
            return first;
        }
        List<PyAst> values = new ArrayList<>(List.of(first));
        while (peek().isName(op)) {
            pos++;
            PyAst next = op.equals("or") ? boolChain("and") : notTest();
            if (next == null) {
                return null;
            }
            values.add(next);
        }
        return new PyAst.BoolOp(op, values, span(start));
    }

    private PyAst notTest() {
        if (!peek().isName("not")) {
            return comparison();
        }
        int start = pos;
        if (!enter()) {
            return null;
        }
        try {
            pos++;
            PyAst operand = notTest();
            return operand == null ? null : new PyAst.UnaryOp("not", operand, span(start));
        } finally {
            depth--;
        }
    }

    private PyAst comparison() {
        int start = pos;
        PyAst first = binary(0);
        if (first == null) {
            return null;
        }
        List<PyAst> operands = new ArrayList<>(List.of(first));
        List<String> ops = new ArrayList<>();
        while (true) {
            Token t = peek();
            String op;
            if (t.kind() == Token.Kind.OP && COMPARISONS.contains(t.text())) {
                op = t.text();
                pos++;
            } else if (t.isName("in")) {
                op = "in";
                pos++;
            } else if (t.isName("not") && peek(1).isName("in")) {
                op = "not in";
                pos += 2;
            } else if (t.isName("is")) {
                pos++;
                op = "is";
                if (peek().isName("not")) {
                    pos++;
                    op = "is not";
                }
            } else {
                break;
            }
            PyAst next = binary(0);
            if (next == null) {
                return null;
            }
            ops.add(op);
            operands.add(next);
        }
        return ops.isEmpty() ? first : new PyAst.Compare(operands, ops, span(start));
    }

    /** Left-associative binary operators by precedence level, lowest first. */
    private static final List<Set<String>> LEVELS = List.of(Set.of("|"), Set.of("^"), Set.of("&"), Set.of("<<", ">>"),
            Set.of("+", "-"), Set.of("*", "/", "//", "%", "@"));

    private PyAst binary(int level) {
        if (level == LEVELS.size()) {
            return factor();
        }
        int start = pos;
        PyAst left = binary(level + 1);
        while (left != null && peek().kind() == Token.Kind.OP && LEVELS.get(level).contains(peek().text())) {
            String op = next().text();
            PyAst right = binary(level + 1);
            if (right == null) {
                return null;
            }
            left = new PyAst.BinOp(op, left, right, span(start));
        }
        return left;
    }

    private PyAst factor() {
        Token t = peek();
        if (!(t.isOp("-") || t.isOp("+") || t.isOp("~"))) {
            return power();
        }
        int start = pos;
        if (!enter()) {
            return null;
        }
        try {
            pos++;
            PyAst operand = factor();
            return operand == null ? null : new PyAst.UnaryOp(t.text(), operand, span(start));
        } finally {
            depth--;
        }
    }

    private PyAst power() {
        int start = pos;
        if (peek().isName("await")) {
            return null;
        }
        PyAst base = primary();
        if (base == null || !peek().isOp("**")) {
            return base;
        }
        if (!enter()) {
            return null;
        }
        try {
            pos++;
            PyAst exponent = factor();
            return exponent == null ? null : new PyAst.BinOp("**", base, exponent, span(start));
        } finally {
            depth--;
        }
    }

    private PyAst primary() {
        int start = pos;
        PyAst value = atom();
        while (value != null) {
            if (peek().isOp(".") && peek(1).kind() == Token.Kind.NAME) {
                pos++;
                value = new PyAst.Attribute(value, next().text(), span(start));
            } else if (peek().isOp("(")) {
                if (!enter()) {
                    return null;
                }
                try {
                    pos++;
                    List<PyAst.Arg> args = arguments(")");
                    value = args == null ? null : new PyAst.Call(value, args, span(start));
                } finally {
                    depth--;
                }
            } else if (peek().isOp("[")) {
                if (!enter()) {
                    return null;
                }
                try {
                    pos++;
                    PyAst index = subscript();
                    value = index == null ? null : new PyAst.Subscript(value, index, span(start));
                } finally {
                    depth--;
                }
            } else {
                break;
            }
        }
        return value;
    }

    /** After '[': an index, a slice or a tuple of them, up to and including ']'. */
    private PyAst subscript() {
        int start = pos;
        List<PyAst> items = new ArrayList<>();
        boolean comma = false;
        while (!peek().isOp("]")) {
            PyAst item = sliceOrTest();
            if (item == null) {
                return null;
            }
            items.add(item);
            if (peek().isOp(",")) {
                comma = true;
                pos++;
            } else if (!peek().isOp("]")) {
                return null;
            }
        }
        if (items.isEmpty()) {
            return null;
        }
        Span span = span(start);
        pos++;
        return items.size() == 1 && !comma ? items.get(0) : new PyAst.ListDisplay(items, true, span);
    }

    private PyAst sliceOrTest() {
        int start = pos;
        PyAst lower = peek().isOp(":") ? null : test();
        if (!peek().isOp(":")) {
            return lower;
        }
        if (lower == null && pos != start) {
            return null;
        }
        pos++;
        PyAst upper = null;
        if (!peek().isOp(":") && !peek().isOp("]") && !peek().isOp(",")) {
            upper = test();
            if (upper == null) {
                return null;
            }
        }
        PyAst step = null;
        if (peek().isOp(":")) {
            pos++;
            if (!peek().isOp("]") && !peek().isOp(",")) {
                step = test();
                if (step == null) {
                    return null;
                }
            }
        }
        return new PyAst.Slice(lower, upper, step, span(start));
    }

    private PyAst atom() {
        int start = pos;
        Token t = next();
        switch (t.kind()) {
            case STRING:
                return strings(start);
            case NUMBER: {
                Object value = number(t.text());
                return value == null ? null : new PyAst.Const(value, span(start));
            }
            case NAME:
                switch (t.text()) {
                    case "True":
                        return new PyAst.Const(Boolean.TRUE, span(start));
                    case "False":
                        return new PyAst.Const(Boolean.FALSE, span(start));
                    case "None":
                        return new PyAst.Const(null, span(start));
                    default:
                        return KEYWORDS.contains(t.text()) ? null : new PyAst.Name(t.text());
                }
            case OP:
                if (t.isOp("(") || t.isOp("[") || t.isOp("{")) {
                    if (!enter()) {
                        return null;
                    }
                    try {
                        return t.isOp("{") ? dict(start) : sequence(t.isOp("[") ? "]" : ")", start);
                    } finally {
                        depth--;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /** Adjacent string literals, concatenated; an f-string among them makes the whole an f-string. Bytes: null. */
    private PyAst strings(int start) {
        List<PyAst.FPart> parts = new ArrayList<>();
        boolean formatted = false;
        pos = start;
        while (peek().kind() == Token.Kind.STRING) {
            Token s = next();
            if (isFString(s.text())) {
                List<PyAst.FPart> fparts = FStrings.parse(s.text(), depth);
                if (fparts == null) {
                    return null;
                }
                parts.addAll(fparts);
                formatted = true;
            } else {
                String decoded = decodeString(s.text());
                if (decoded == null) {
                    return null;
                }
                parts.add(new PyAst.FText(decoded));
            }
        }
        if (!formatted) {
            StringBuilder value = new StringBuilder();
            parts.forEach(p -> value.append(((PyAst.FText) p).text()));
            return new PyAst.Const(value.toString(), span(start));
        }
        return new PyAst.FString(parts, span(start));
    }

    /** After '(' or '[': a tuple, list or parenthesized expression, up to and including the closing bracket. */
    private PyAst sequence(String close, int start) {
        List<PyAst> items = new ArrayList<>();
        boolean comma = false;
        while (!peek().isOp(close)) {
            PyAst item;
            if (peek().isOp("*")) {
                int starStart = pos;
                pos++;
                PyAst value = item();
                if (value == null) {
                    return null;
                }
                item = new PyAst.Starred(value, span(starStart));
            } else {
                item = item();
                if (item == null) {
                    return null;
                }
            }
            items.add(item);
            if (peek().isOp(",")) {
                comma = true;
                pos++;
            } else if (!peek().isOp(close)) {
                return null;
            }
        }
        pos++;
        boolean tuple = close.equals(")");
        if (tuple && items.size() == 1 && !comma && !(items.get(0) instanceof PyAst.Starred)) {
            return items.get(0); // parentheses around one expression
        }
        return new PyAst.ListDisplay(items, tuple, span(start));
    }

    /** After '{': a dict display (with {@code **} entries); a set or comprehension is null. */
    private PyAst dict(int start) {
        List<PyAst> keys = new ArrayList<>();
        List<PyAst> values = new ArrayList<>();
        while (!peek().isOp("}")) {
            if (peek().isOp("**")) {
                pos++;
                keys.add(null);
                values.add(expression());
            } else {
                PyAst key = expression();
                if (!peek().isOp(":")) {
                    return null; // a set
                }
                pos++;
                PyAst value = item();
                if (value == null) {
                    return null;
                }
                keys.add(key);
                values.add(value);
            }
            if (peek().isOp(",")) {
                pos++;
            } else if (!peek().isOp("}")) {
                return null;
            }
        }
        pos++;
        return new PyAst.DictDisplay(keys, values, span(start));
    }

    /** A NUMBER token's value (BigInteger or Double), or null for an imaginary number. */
    static Object number(String text) {
        String digits = text.replace("_", "").toLowerCase();
        if (digits.endsWith("j")) {
            return null;
        }
        try {
            if (digits.startsWith("0x")) {
                return new BigInteger(digits.substring(2), 16);
            }
            if (digits.startsWith("0o")) {
                return new BigInteger(digits.substring(2), 8);
            }
            if (digits.startsWith("0b")) {
                return new BigInteger(digits.substring(2), 2);
            }
            if (digits.contains(".") || digits.contains("e")) {
                return Double.parseDouble(digits);
            }
            return new BigInteger(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private boolean enter() {
        if (depth >= MAX_DEPTH) {
            return false;
        }
        depth++;
        return true;
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private Span span(int start) {
        return new Span(tokens, start, pos);
    }

    /** A parser of an f-string replacement field's tokens, nested {@code depth} levels deep already. */
    static PyAst field(List<Token> fieldTokens, int depth) {
        ExprParser parser = new ExprParser(fieldTokens, 0, depth + 1);
        if (depth + 1 >= MAX_DEPTH) {
            return null;
        }
        PyAst parsed = parser.test();
        return parsed != null && parser.atEnd() ? parsed : null;
    }

    private boolean atEnd() {
        while (peek().kind() == Token.Kind.NEWLINE) {
            pos++;
        }
        return peek().kind() == Token.Kind.END;
    }

    boolean atDelimiter() {
        Token t = peek();
        return t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.END
                || (t.kind() == Token.Kind.OP && (t.text().equals(",") || t.text().equals(")") || t.text().equals("]")
                || t.text().equals("}") || t.text().equals(":") || t.text().equals("=") || t.text().equals(";")));
    }

    void skipToDelimiter() {
        int brackets = 0;
        int openLambdas = 0;
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.END || (brackets == 0 && t.kind() == Token.Kind.NEWLINE)) {
                return;
            }
            if (brackets == 0 && t.isName("lambda")) {
                openLambdas++;
            }
            if (t.kind() == Token.Kind.OP) {
                String op = t.text();
                if (brackets == 0 && op.equals(":") && openLambdas > 0) {
                    openLambdas--;
                    pos++;
                    continue;
                }
                if (brackets == 0 && (op.equals(",") || op.equals(")") || op.equals("]") || op.equals("}") || op.equals(";")
                        || op.equals(":") || op.equals("="))) {
                    return;
                }
                if ("([{".contains(op)) {
                    brackets++;
                } else if (")]}".contains(op)) {
                    brackets--;
                }
            }
            pos++;
        }
    }

    static String sourceOf(List<Token> tokens, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            if (t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.INDENT || t.kind() == Token.Kind.DEDENT
                    || t.kind() == Token.Kind.END) {
                continue;
            }
            if (b.length() > 0 && !(t.isOp(")") || t.isOp("]") || t.isOp(",") || t.isOp(".") || t.isOp("(") && i > from
                    && tokens.get(i - 1).kind() == Token.Kind.NAME) && !tokens.get(i - 1).isOp(".") && !tokens.get(i - 1).isOp("(")
                    && !tokens.get(i - 1).isOp("[")) {
                b.append(' ');
            }
            b.append(t.text());
        }
        return b.toString();
    }

    static boolean isFString(String text) {
        for (int i = 0; i < text.length() && "rRbBuUfF".indexOf(text.charAt(i)) >= 0; i++) {
            if (Character.toLowerCase(text.charAt(i)) == 'f') {
                return true;
            }
        }
        return false;
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
        return raw ? body : unescape(body);
    }

    /** Python's backslash escapes in a non-raw string; unknown escapes keep their backslash, as Python does. */
    static String unescape(String body) {
        if (body.indexOf('\\') < 0) {
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
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case '\n' -> { }
                case 'x', 'u', 'U' -> {
                    int length = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int code = k + length < body.length() + 0 ? parseHex(body, k + 1, length) : -1;
                    if (code < 0) {
                        out.append('\\').append(e);
                    } else {
                        out.appendCodePoint(code);
                        k += length;
                    }
                }
                case 'N' -> {
                    int close = body.indexOf('}', k);
                    int code = -1;
                    if (k + 1 < body.length() && body.charAt(k + 1) == '{' && close > 0) {
                        try {
                            code = Character.codePointOf(body.substring(k + 2, close));
                        } catch (IllegalArgumentException unknown) {
                            code = -1;
                        }
                    }
                    if (code < 0) {
                        out.append('\\').append(e);
                    } else {
                        out.appendCodePoint(code);
                        k = close;
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = k;
                        while (end < body.length() && end < k + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(body.substring(k, end), 8));
                        k = end - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int parseHex(String body, int from, int length) {
        if (from + length > body.length()) {
            return -1;
        }
        int code = 0;
        for (int i = from; i < from + length; i++) {
            int digit = Character.digit(body.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            code = code * 16 + digit;
        }
        return code <= Character.MAX_CODE_POINT ? code : -1;
    }
}

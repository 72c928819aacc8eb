package dev.flowgate.compiler.parse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A tokenizer for Python 3 source, enough to find a flow's structure without running it: names, numbers,
 * strings (every prefix, single or triple quoted; an f-string is one token, its replacement fields read as Python
 * 3.12 reads them, so they may nest the same quote), operators, and the
 * NEWLINE/INDENT/DEDENT structure of logical lines (bracketed and backslash-continued lines are joined,
 * comments and blank lines ignored). It never evaluates anything.
 */
public final class Tokenizer {
    private static final String THREE_CHAR_OPS = "**= //= >>= <<= ... !=";
    private static final String TWO_CHAR_OPS = "** // << >> <= >= == != -> += -= *= /= %= &= |= ^= @= := ";

    private final String src;
    private int pos;
    private int line = 1;
    private final List<Token> out = new ArrayList<>();
    private final Deque<Integer> indents = new ArrayDeque<>();
    private int depth;
    /** f-strings and format specs nested in each other (Python 3.12 allows it; CPython stops near 150 levels). */
    private int fieldNesting;
    private static final int MAX_FIELD_NESTING = 100;

    private Tokenizer(String src) {
        this.src = src.replace("\r\n", "\n").replace('\r', '\n');
    }

    public static List<Token> tokenize(String source) {
        Tokenizer t = new Tokenizer(source);
        t.run();
        return t.out;
    }

    private void run() {
        indents.push(0);
        boolean atLineStart = true;
        while (pos < src.length()) {
            if (atLineStart && depth == 0) {
                int col = 0;
                int p = pos;
                while (p < src.length() && (src.charAt(p) == ' ' || src.charAt(p) == '\t' || src.charAt(p) == '\f')) {
                    col = src.charAt(p) == '\t' ? (col / 8 + 1) * 8 : col + 1;
                    p++;
                }
                if (p >= src.length() || src.charAt(p) == '\n' || src.charAt(p) == '#') {
                    pos = p;
                    skipToLineEnd();
                    continue; // blank or comment-only line
                }
                if (p + 1 < src.length() && src.charAt(p) == '\\' && src.charAt(p + 1) == '\n') {
                    pos = p;
                } else {
                    pos = p;
                    if (col > indents.peek()) {
                        indents.push(col);
                        out.add(new Token(Token.Kind.INDENT, "", line));
                    } else {
                        while (col < indents.peek()) {
                            indents.pop();
                            out.add(new Token(Token.Kind.DEDENT, "", line));
                        }
                        if (col != indents.peek()) {
                            throw new SyntaxProblem(line, "unindent does not match any outer indentation level");
                        }
                    }
                }
                atLineStart = false;
            }
            char c = src.charAt(pos);
            if (c == '\n') {
                pos++;
                if (depth == 0) {
                    addNewline();
                    atLineStart = true;
                }
                line++;
            } else if (c == ' ' || c == '\t' || c == '\f') {
                pos++;
            } else if (c == '#') {
                skipComment();
            } else if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
                pos += 2;
                line++;
            } else if (isStringStart()) {
                readString();
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
                readNumber();
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_' || src.charAt(pos) > 127)) {
                    pos++;
                }
                out.add(new Token(Token.Kind.NAME, src.substring(start, pos), line));
            } else {
                readOperator();
            }
        }
        if (depth > 0) {
            throw new SyntaxProblem(line, "unexpected end of file: a bracket is not closed");
        }
        addNewline();
        while (indents.peek() > 0) {
            indents.pop();
            out.add(new Token(Token.Kind.DEDENT, "", line));
        }
        out.add(new Token(Token.Kind.END, "", line));
    }

    private void addNewline() {
        if (!out.isEmpty() && out.get(out.size() - 1).kind() != Token.Kind.NEWLINE
                && out.get(out.size() - 1).kind() != Token.Kind.INDENT && out.get(out.size() - 1).kind() != Token.Kind.DEDENT) {
            out.add(new Token(Token.Kind.NEWLINE, "", line));
        }
    }

    private void skipToLineEnd() {
        while (pos < src.length() && src.charAt(pos) != '\n') {
            pos++;
        }
        if (pos < src.length()) {
            pos++;
            line++;
        }
    }

    private void skipComment() {
        while (pos < src.length() && src.charAt(pos) != '\n') {
            pos++;
        }
    }

    private boolean isStringStart() {
        return isStringStartAt(pos);
    }

    private boolean isStringStartAt(int at) {
        int p = at;
        int prefix = 0;
        while (p < src.length() && prefix < 2 && "rRbBuUfF".indexOf(src.charAt(p)) >= 0) {
            p++;
            prefix++;
        }
        if (p >= src.length()) {
            return false;
        }
        char q = src.charAt(p);
        if (q != '\'' && q != '"') {
            return false;
        }
        // a name like "bar" followed by a quote is not a prefix: prefixes are only the letters above
        return prefix == 0 || !(at > 0 && (Character.isLetterOrDigit(src.charAt(at - 1)) || src.charAt(at - 1) == '_'));
    }

    private void readString() {
        int start = pos;
        int startLine = line;
        pos = scanString(pos, startLine);
        out.add(new Token(Token.Kind.STRING, src.substring(start, pos), startLine));
    }

    /**
     * The position after the string literal starting (with its prefix) at {@code from}; counts the lines it spans.
     * An f-string's replacement fields are scanned as Python 3.12 does (PEP 701): they may hold strings with the same
     * quote, nested f-strings, brackets, comments and line breaks; {@code {{}} and {@code }}} are literal braces.
     */
    private int scanString(int from, int startLine) {
        int p = from;
        boolean formatted = false;
        while ("rRbBuUfF".indexOf(src.charAt(p)) >= 0) {
            formatted |= Character.toLowerCase(src.charAt(p)) == 'f';
            p++;
        }
        char q = src.charAt(p);
        boolean triple = p + 2 < src.length() && src.charAt(p + 1) == q && src.charAt(p + 2) == q;
        p += triple ? 3 : 1;
        while (true) {
            if (p >= src.length()) {
                throw new SyntaxProblem(startLine, "a string starting here is never closed");
            }
            char c = src.charAt(p);
            if (c == '\\') {
                if (p + 1 < src.length() && src.charAt(p + 1) == '\n') {
                    line++;
                }
                p += 2;
                continue;
            }
            if (c == '\n') {
                if (!triple) {
                    throw new SyntaxProblem(startLine, "a string is not closed before the end of the line");
                }
                line++;
            }
            if (formatted && c == '{') {
                if (p + 1 < src.length() && src.charAt(p + 1) == '{') {
                    p += 2;
                } else {
                    p = scanReplacementField(p + 1, startLine);
                }
                continue;
            }
            if (c == q) {
                if (!triple) {
                    return p + 1;
                }
                if (p + 2 < src.length() && src.charAt(p + 1) == q && src.charAt(p + 2) == q) {
                    return p + 3;
                }
            }
            p++;
        }
    }

    /** From just after an f-string's '{' to just after its matching '}': expression, conversion, format spec. */
    private int scanReplacementField(int from, int startLine) {
        if (++fieldNesting > MAX_FIELD_NESTING) {
            throw new SyntaxProblem(startLine, "f-strings are nested more than " + MAX_FIELD_NESTING + " levels deep here");
        }
        try {
            return scanField(from, startLine);
        } finally {
            fieldNesting--;
        }
    }

    private int scanField(int from, int startLine) {
        int p = from;
        int brackets = 0;
        boolean inSpec = false;
        while (true) {
            if (p >= src.length()) {
                throw new SyntaxProblem(startLine, "an f-string starting here has a '{' that is never closed");
            }
            char c = src.charAt(p);
            if (inSpec) {
                if (c == '{') {
                    p = scanReplacementField(p + 1, startLine);
                    continue;
                }
                if (c == '}') {
                    return p + 1;
                }
                if (c == '\n') {
                    line++;
                }
                p++;
                continue;
            }
            if (c == '\n') {
                line++;
                p++;
            } else if (c == '#') {
                while (p < src.length() && src.charAt(p) != '\n') {
                    p++;
                }
            } else if (isStringStartAt(p)) {
                p = scanString(p, line);
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                while (p < src.length() && (Character.isLetterOrDigit(src.charAt(p)) || src.charAt(p) == '_')) {
                    p++;
                }
            } else if (c == '(' || c == '[' || c == '{') {
                brackets++;
                p++;
            } else if (c == ')' || c == ']' || (c == '}' && brackets > 0)) {
                brackets--;
                p++;
            } else if (c == '}') {
                return p + 1;
            } else if (c == ':' && brackets == 0) {
                inSpec = true;
                p++;
            } else {
                p++;
            }
        }
    }

    private void readNumber() {
        int start = pos;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            boolean exponentSign = (c == '+' || c == '-') && pos > start
                    && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E')
                    && !src.substring(start, pos).toLowerCase().startsWith("0x");
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign) {
                pos++;
            } else {
                break;
            }
        }
        out.add(new Token(Token.Kind.NUMBER, src.substring(start, pos), line));
    }

    private void readOperator() {
        String three = pos + 3 <= src.length() ? src.substring(pos, pos + 3) : "";
        String two = pos + 2 <= src.length() ? src.substring(pos, pos + 2) : "";
        String op;
        if (!three.isEmpty() && THREE_CHAR_OPS.contains(three)) {
            op = three;
        } else if (two.length() == 2 && TWO_CHAR_OPS.contains(two + " ")) {
            op = two;
        } else {
            op = String.valueOf(src.charAt(pos));
            if ("()[]{},:.;@=+-*/%&|^~<>!".indexOf(op.charAt(0)) < 0) {
                throw new SyntaxProblem(line, "unexpected character '" + op + "'");
            }
        }
        if ("([{".contains(op)) {
            depth++;
        } else if (")]}".contains(op)) {
            if (depth == 0) {
                throw new SyntaxProblem(line, "'" + op + "' closes a bracket that was never opened");
            }
            depth--;
        }
        pos += op.length();
        out.add(new Token(Token.Kind.OP, op, line));
    }
}

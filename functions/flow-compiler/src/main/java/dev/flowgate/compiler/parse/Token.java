package dev.flowgate.compiler.parse;

/** One Python token with the 1-based line it starts on. */
public record Token(Kind kind, String text, int line) {
    public enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, INDENT, DEDENT, END }

    public boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    public boolean isOp(String t) {
        return kind == Kind.OP && text.equals(t);
    }

    public boolean isName(String t) {
        return kind == Kind.NAME && text.equals(t);
    }
}

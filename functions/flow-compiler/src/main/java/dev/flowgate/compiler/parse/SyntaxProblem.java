package dev.flowgate.compiler.parse;

/** The flow file is not Python this compiler can read, or holds no single flow; line is 1-based. */
public final class SyntaxProblem extends RuntimeException {
    private static final String SYNTAX_FIX = "fix the Python syntax; Flowgate reads the file without running it";
    private final int line;
    private final String fix;

    public SyntaxProblem(int line, String message) {
        this(line, message, SYNTAX_FIX);
    }

    public SyntaxProblem(int line, String message, String fix) {
        super(message);
        this.line = line;
        this.fix = fix;
    }

    public int line() {
        return line;
    }

    /** What the author should change, in words a data scientist understands. */
    public String fix() {
        return fix;
    }
}

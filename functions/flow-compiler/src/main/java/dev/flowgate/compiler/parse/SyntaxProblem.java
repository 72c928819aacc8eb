package dev.flowgate.compiler.parse;

/** The flow file is not Python this compiler can read; line is 1-based. */
public final class SyntaxProblem extends RuntimeException {
    private final int line;

    public SyntaxProblem(int line, String message) {
        super(message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}

package dev.flowgate.compiler.graph;

/** One problem in a flow, located and explained with the fix, in words a data scientist understands. */
public record LintProblem(String file, int line, String step, String message, String fix) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + (step == null ? "" : "step '" + step + "': ") + message
                + (fix == null || fix.isEmpty() ? "" : " Fix: " + fix);
    }
}

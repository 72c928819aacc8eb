package dev.flowgate.compiler.graph;

/** One problem in a flow, located and explained with the fix, in words a data scientist understands. */
public record LintProblem(String file, int line, String step, String message, String fix) {
    @Override
    public String toString() {
        String text = file + ":" + line + ": " + (step == null ? "" : "step '" + step + "': ") + message;
        if (fix == null || fix.isEmpty()) {
            return text;
        }
        return text + (text.endsWith(".") || text.endsWith("?") || text.endsWith("!") ? " " : ". ") + "Fix: " + fix;
    }
}

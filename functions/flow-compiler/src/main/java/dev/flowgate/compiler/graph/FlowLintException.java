package dev.flowgate.compiler.graph;

import java.util.List;
import java.util.stream.Collectors;

/** The flow breaks Metaflow's rules (or cannot be read); every problem names file, line, step and fix. */
public final class FlowLintException extends RuntimeException {
    private final List<LintProblem> problems;

    public FlowLintException(List<LintProblem> problems) {
        super(problems.stream().map(LintProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<LintProblem> problems() {
        return problems;
    }
}

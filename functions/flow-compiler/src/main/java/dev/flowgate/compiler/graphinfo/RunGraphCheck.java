package dev.flowgate.compiler.graphinfo;

import dev.flowgate.compiler.graph.FlowGraph;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed flow checked against a run's record: the mutators' decorators taken over from the record
 * ({@link RecordedDecorators}), then the resulting graph compared with the record ({@link GraphComparison}).
 * Compile {@link #graph()} when {@link #differences()} is empty; otherwise the deployment must be refused.
 *
 * @param graph       the parsed graph plus the decorators taken over from the run
 * @param honoured    the mutators' decorators taken over, one line each
 * @param differences everything that differs or cannot be taken over, each naming step, decorator and attribute
 */
public record RunGraphCheck(FlowGraph graph, List<String> honoured, List<GraphDifference> differences) {
    public RunGraphCheck {
        honoured = List.copyOf(honoured);
        differences = List.copyOf(differences);
    }

    public static RunGraphCheck of(FlowGraph parsed, RecordedGraph run) {
        RecordedDecorators.Applied applied = RecordedDecorators.apply(parsed, run);
        List<GraphDifference> differences = new ArrayList<>(applied.refused());
        GraphComparison.compare(applied.graph(), run).stream()
                .filter(d -> !applied.refused().stream().anyMatch(r -> r.step().equals(d.step()) && r.decorator().equals(d.decorator())))
                .forEach(differences::add);
        return new RunGraphCheck(applied.graph(), applied.honoured(), differences);
    }

    public boolean matches() {
        return differences.isEmpty();
    }

    /** A short summary: what was compared and taken over, or the differences. */
    public String summary() {
        if (!matches()) {
            List<String> lines = new ArrayList<>();
            differences.forEach(d -> lines.add(d.describe()));
            return String.join("; ", lines) + " (" + differences.size()
                    + (differences.size() == 1 ? " difference" : " differences") + " from the run's graph)";
        }
        return "graph equal to the run's (" + graph.steps().size() + " steps, their decorators and parameters)"
                + (honoured.isEmpty() ? "" : "; taken over from mutators: " + String.join("; ", honoured));
    }
}

package dev.flowgate.compiler.graphinfo;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.graphinfo.RecordedGraph.RecordedDecorator;
import dev.flowgate.compiler.graphinfo.RecordedGraph.RecordedStep;
import dev.flowgate.compiler.parse.GangDecorator;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.PyExpr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes the effect of mutators ({@code FlowMutator}, {@code StepMutator}) from the verified run's record: every
 * Metaflow decorator the run recorded with {@code inserted_by} set is added to the graph with exactly the
 * attributes the run had, as if it had been written in the file; the compiler never executes the mutator. What
 * cannot be taken over this way is refused with the reason and the fix: a decorator that changes how a step is
 * scheduled ({@code @parallel}) or that the compiler refuses anyway, and flow decorators other than
 * {@code @project}, {@code @schedule} and {@code @trigger_on_finish} whose values are not plain data. A change of
 * the graph's shape (steps, transitions) or parameters is not a decorator: {@link GraphComparison} reports it.
 * Inside the container, Metaflow imports the flow and runs the mutators again, so decorators it reads there
 * ({@code @card}, {@code @pypi}, {@code @conda}, {@code @secrets}, ...) need nothing from the compiler.
 */
public final class RecordedDecorators {
    /** Step decorators a mutator may add whose effect cannot be compiled from a record. */
    static final Map<String, String> REFUSED_STEP = refusedStep();
    static final Set<String> TAKEN_FLOW = Set.of("project", "schedule", "trigger_on_finish");

    private RecordedDecorators() {
    }

    private static Map<String, String> refusedStep() {
        Map<String, String> refused = new LinkedHashMap<>();
        GangDecorator.names().forEach(n -> refused.put(n, "it turns the step into a multi-node gang, which changes the graph's shape"));
        refused.put("kubernetes", "Flowgate runs steps on AWS Batch only");
        refused.put("slurm", "Flowgate runs steps on AWS Batch only");
        return Map.copyOf(refused);
    }

    /**
     * @param graph    the graph as parsed from the source
     * @param honoured what was taken over, one line each ({@code @retry(times=4) on start, inserted by __main__.robust})
     * @param refused  what could not be, with reason and fix (the deployment must be refused)
     */
    public record Applied(FlowGraph graph, List<String> honoured, List<GraphDifference> refused) {
        public Applied {
            honoured = List.copyOf(honoured);
            refused = List.copyOf(refused);
        }
    }

    public static Applied apply(FlowGraph graph, RecordedGraph run) {
        List<String> honoured = new ArrayList<>();
        List<GraphDifference> refused = new ArrayList<>();
        Map<String, StepNode> steps = new LinkedHashMap<>();
        for (StepNode node : graph.steps().values()) {
            RecordedStep recorded = run.steps().get(node.name());
            List<Decorator> decorators = new ArrayList<>(node.decorators());
            if (recorded != null) {
                for (RecordedDecorator d : recorded.decorators()) {
                    if (!d.insertedByMutator() || !d.staticallyDefined() || !d.isMetaflow() || d.name().startsWith("_")) {
                        continue;
                    }
                    String reason = REFUSED_STEP.get(d.name());
                    if (reason != null) {
                        refused.add(new GraphDifference(node.name(), d.name(), "", "@" + d.name() + " inserted by "
                                + String.join(", ", d.insertedBy()), "none", "Flowgate cannot take @" + d.name()
                                + " over from a mutator: " + reason + "; write @" + d.name() + " on the step in the flow file"));
                        continue;
                    }
                    decorators.add(decorator(d, node.line()));
                    honoured.add(text(d) + " on " + node.name() + ", inserted by " + String.join(", ", d.insertedBy()));
                }
            }
            steps.put(node.name(), new StepNode(node.name(), node.type(), node.outFuncs(), node.inFuncs(), node.line(),
                    decorators, node.foreachParam(), node.numParallel(), node.switchCases(), node.condition(),
                    node.splitParents(), node.matchingJoin(), node.insideForeach()));
        }
        List<Decorator> flowDecorators = new ArrayList<>(graph.flowDecorators());
        for (RecordedDecorator d : run.flowDecorators()) {
            if (!d.insertedByMutator() || !d.staticallyDefined() || !d.isMetaflow() || d.name().startsWith("_")) {
                continue;
            }
            if (!TAKEN_FLOW.contains(d.name())) {
                refused.add(new GraphDifference("", d.name(), "", "@" + d.name() + " inserted by "
                        + String.join(", ", d.insertedBy()), "none", "Flowgate takes only @project, @schedule and"
                        + " @trigger_on_finish over from a flow mutator (their values are plain data); write @" + d.name()
                        + " on the flow class"));
                continue;
            }
            flowDecorators.add(decorator(d, 1));
            honoured.add(text(d) + " on the flow, inserted by " + String.join(", ", d.insertedBy()));
        }
        FlowGraph applied = new FlowGraph(graph.fileName(), graph.flowName(), steps, flowDecorators, graph.parameters(),
                graph.startStep(), graph.endStep(), graph.moduleBindings());
        return new Applied(applied, honoured, refused);
    }

    private static Decorator decorator(RecordedDecorator d, int line) {
        Map<String, PyExpr> kwargs = new LinkedHashMap<>();
        d.attributes().forEach((k, v) -> kwargs.put(k, PodValues.toExpr(v)));
        return new Decorator(d.name(), List.of(), kwargs, line, true);
    }

    /** {@code @resources(gpu=2, memory=24576)}: the attributes that are not None, by name (a decoded dict has no order). */
    static String text(RecordedDecorator d) {
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(d.attributes()).forEach((k, v) -> {
            if (!"None".equals(PodValues.pod(v))) {
                parts.add(k + "=" + PodValues.show(v));
            }
        });
        return "@" + d.name() + "(" + String.join(", ", parts) + ")";
    }
}

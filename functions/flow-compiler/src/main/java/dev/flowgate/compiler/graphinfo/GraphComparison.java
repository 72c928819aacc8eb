package dev.flowgate.compiler.graphinfo;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.graphinfo.RecordedGraph.RecordedDecorator;
import dev.flowgate.compiler.graphinfo.RecordedGraph.RecordedStep;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.ParsedFlow.ParameterDef;
import dev.flowgate.compiler.parse.PyExpr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compiled flow against the run's own record ({@code _graph_info}): steps, their types and transitions,
 * foreach/parallel/switch fields, the parameters, flow decorators and every step decorator the code, a mutator or a
 * Config put there. Decorators added at run time ({@code --with}, {@code statically_defined} false) are the run's
 * choice and are skipped; so is the {@code @batch} the compiler attaches to every step (as Metaflow's
 * {@code step-functions create} does), which is not in the graph. An attribute is compared when the source writes
 * it, or when the compiler reads it and takes its default otherwise ({@link #COMPILED_DEFAULTS}); attributes the
 * compiler neither reads nor sees written are left to Metaflow inside the container, which reads them itself.
 */
public final class GraphComparison {
    /**
     * The defaults the compiler uses for attributes a step does not write, in Metaflow 2.19's {@code to_pod} form
     * (the class {@code defaults} of each decorator). A run whose record differs here got its value some other way
     * (a mutator, the environment at import, **kwargs) and the compiled flow would not have it.
     */
    static final Map<String, Map<String, Object>> COMPILED_DEFAULTS = Map.of(
            "retry", Map.of("times", "3"),
            "resources", Map.of("cpu", "1", "gpu", "None", "memory", "4096", "shared_memory", "None"),
            "batch", Map.of("cpu", "None", "gpu", "None", "memory", "None", "shared_memory", "None", "efa", "None",
                    "host_volumes", "None"),
            "timeout", Map.of("seconds", 0L, "minutes", 0L, "hours", 0L),
            "environment", Map.of("vars", Map.of()));
    private static final String FIX_CODE = "make the flow file say what the run executed, run it again and tag that run"
            + " prod_ready";

    private GraphComparison() {
    }

    public static List<GraphDifference> compare(FlowGraph graph, RecordedGraph run) {
        List<GraphDifference> out = new ArrayList<>();
        compareShape(graph, run, out);
        compareParameters(graph, run, out);
        compareDecorators("", graph.flowDecorators(), run.flowDecorators(), out);
        for (StepNode node : graph.steps().values()) {
            RecordedStep recorded = run.steps().get(node.name());
            if (recorded != null) {
                compareDecorators(node.name(), node.decorators(), recorded.decorators(), out);
            }
        }
        return out;
    }

    /** Metaflow's {@code output_steps} name of a node type. */
    public static String recordedType(NodeType type) {
        return switch (type) {
            case START -> "start";
            case LINEAR -> "linear";
            case JOIN -> "join";
            case END -> "end";
            case SPLIT -> "split-static";
            case FOREACH -> "split-foreach";
            case PARALLEL_FOREACH -> "split-parallel";
            case SWITCH -> "split-switch";
        };
    }

    private static void compareShape(FlowGraph graph, RecordedGraph run, List<GraphDifference> out) {
        String shapeFix = "the run's graph differs from the source's (a mutator or code outside the class changed it);"
                + " Flowgate compiles the graph from the source: " + FIX_CODE;
        Set<String> all = new TreeSet<>(graph.steps().keySet());
        all.addAll(run.steps().keySet());
        for (String step : all) {
            StepNode node = graph.steps().get(step);
            RecordedStep recorded = run.steps().get(step);
            if (node == null || recorded == null) {
                out.add(new GraphDifference(step, "", "step", recorded == null ? "absent" : "step " + step,
                        node == null ? "absent" : "step " + step, shapeFix));
                continue;
            }
            field(out, step, "type", recorded.type(), recordedType(node.type()), shapeFix);
            field(out, step, "next", recorded.next(), node.outFuncs(), shapeFix);
            if (node.type() == NodeType.FOREACH || recorded.foreachArtifact().isPresent()) {
                field(out, step, "foreach", recorded.foreachArtifact().orElse(null), node.foreachParam(), shapeFix);
            }
            if (node.type() == NodeType.PARALLEL_FOREACH || recorded.numParallel().isPresent()) {
                field(out, step, "num_parallel", recorded.numParallel().orElse(null),
                        node.type() == NodeType.PARALLEL_FOREACH ? (Object) (long) node.numParallel() : null, shapeFix);
            }
            if (node.type() == NodeType.SWITCH || recorded.condition().isPresent()) {
                field(out, step, "condition", recorded.condition().orElse(null), node.condition(), shapeFix);
                field(out, step, "switch_cases", recorded.switchCases(), node.switchCases(), shapeFix);
            }
            if (recorded.matchingJoin().isPresent() || node.matchingJoin() != null) {
                field(out, step, "matching_join", recorded.matchingJoin().orElse(null), node.matchingJoin(), shapeFix);
            }
        }
        field(out, "", "start step", run.startStep(), graph.startStep(), shapeFix);
        field(out, "", "end step", run.endStep(), graph.endStep(), shapeFix);
    }

    private static void field(List<GraphDifference> out, String step, String name, Object run, Object compiled, String fix) {
        if (!PodValues.same(run, compiled)) {
            out.add(new GraphDifference(step, "", name, PodValues.show(run), PodValues.show(compiled), fix));
        }
    }

    private static void compareParameters(FlowGraph graph, RecordedGraph run, List<GraphDifference> out) {
        Set<String> compiled = new LinkedHashSet<>();
        for (ParameterDef p : graph.parameters()) {
            compiled.add(p.attribute() + ": " + p.kind());
        }
        Set<String> recorded = new LinkedHashSet<>();
        run.parameters().forEach(p -> recorded.add(p.name() + ": " + p.type()));
        for (String p : recorded) {
            if (!compiled.contains(p)) {
                out.add(new GraphDifference("", "", "parameter " + p.substring(0, p.indexOf(':')), p, "absent",
                        "declare it in the flow class (a mutator's add_parameter cannot be compiled: the run does not"
                                + " record its default)"));
            }
        }
        for (String p : compiled) {
            if (!recorded.contains(p)) {
                out.add(new GraphDifference("", "", "parameter " + p.substring(0, p.indexOf(':')), "absent", p, FIX_CODE));
            }
        }
    }

    private static void compareDecorators(String step, List<Decorator> compiled, List<RecordedDecorator> run,
                                          List<GraphDifference> out) {
        List<Decorator> metaflow = compiled.stream().filter(d -> d.fromMetaflow() && !d.name().equals("step")).toList();
        Set<String> userNames = new LinkedHashSet<>();
        compiled.stream().filter(d -> !d.fromMetaflow()).forEach(d -> userNames.add(d.name()));
        List<RecordedDecorator> considered = new ArrayList<>();
        for (RecordedDecorator d : run) {
            if (!d.staticallyDefined() || d.name().startsWith("_")) {
                continue; // --with: the run's choice
            }
            String local = d.name().substring(d.name().lastIndexOf('.') + 1);
            boolean metaflowDecorator = d.isMetaflow() && metaflow.stream().anyMatch(c -> c.name().equals(d.name()));
            if (!metaflowDecorator && userNames.contains(local)) {
                continue; // a user step decorator, StepMutator or FlowMutator written in the file: its effect is compared below
            }
            considered.add(d);
        }
        Set<String> names = new TreeSet<>();
        metaflow.forEach(d -> names.add(d.name()));
        considered.forEach(d -> names.add(d.name()));
        for (String name : names) {
            List<Decorator> mine = metaflow.stream().filter(d -> d.name().equals(name)).toList();
            List<RecordedDecorator> theirs = considered.stream().filter(d -> d.name().equals(name)).toList();
            for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
                if (i >= mine.size()) {
                    RecordedDecorator d = theirs.get(i);
                    out.add(new GraphDifference(step, name, "", "@" + name + origin(d), "none",
                            d.insertedByMutator() ? "Flowgate could not take it over from the run: see the refusal above"
                                    : FIX_CODE));
                } else if (i >= theirs.size()) {
                    out.add(new GraphDifference(step, name, "", "none", "@" + name + " (line " + mine.get(i).line() + ")",
                            FIX_CODE));
                } else {
                    compareAttributes(step, mine.get(i), theirs.get(i), out);
                }
            }
        }
    }

    private static String origin(RecordedDecorator d) {
        return d.insertedByMutator() ? " inserted by " + String.join(", ", d.insertedBy()) : " written in the code";
    }

    private static void compareAttributes(String step, Decorator compiled, RecordedDecorator run, List<GraphDifference> out) {
        Map<String, Object> defaults = step.isEmpty() ? Map.of() : COMPILED_DEFAULTS.getOrDefault(compiled.name(), Map.of());
        Set<String> attributes = new TreeSet<>(compiled.kwargs().keySet());
        attributes.addAll(defaults.keySet());
        for (String attribute : attributes) {
            Optional<Object> mine;
            PyExpr written = compiled.kwargs().get(attribute);
            if (written != null) {
                mine = PodValues.of(written);
                if (mine.isEmpty()) {
                    continue; // not a literal: the compiler refuses it where it reads it; Metaflow reads it in the container
                }
            } else {
                mine = Optional.of(defaults.get(attribute));
            }
            if (!run.attributes().containsKey(attribute)) {
                if (written != null) {
                    out.add(new GraphDifference(step, compiled.name(), attribute, "absent", PodValues.show(mine.get()), FIX_CODE));
                }
                continue;
            }
            Object theirs = run.attributes().get(attribute);
            if (!PodValues.same(theirs, mine.get())) {
                out.add(new GraphDifference(step, compiled.name(), attribute, PodValues.show(theirs)
                        + (run.insertedByMutator() ? " (inserted by " + String.join(", ", run.insertedBy()) + ")" : ""),
                        PodValues.show(mine.get()) + (written == null ? " (the default: the source does not write it)" : ""),
                        written == null ? "write " + attribute + "= in the decorator with the value the run used, or find"
                                + " what changed it at run time (the environment at import, a mutator)"
                                : "the value was computed differently when the run imported the flow (the environment at"
                                + " import, a mutator): write the value the run used, or run again and tag that run"));
            }
        }
    }
}

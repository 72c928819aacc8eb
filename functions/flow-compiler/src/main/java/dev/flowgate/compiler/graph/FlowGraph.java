package dev.flowgate.compiler.graph;

import dev.flowgate.compiler.parse.ParsedFlow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated Metaflow flow: its steps (in source order), flow decorators, parameters and the names its file
 * binds at module level.
 */
public record FlowGraph(String fileName, String flowName, Map<String, StepNode> steps,
                        List<ParsedFlow.Decorator> flowDecorators, List<ParsedFlow.ParameterDef> parameters,
                        String startStep, String endStep, List<ParsedFlow.ModuleBinding> moduleBindings) {

    public FlowGraph {
        steps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        flowDecorators = List.copyOf(flowDecorators);
        parameters = List.copyOf(parameters);
        moduleBindings = List.copyOf(moduleBindings);
    }

    public FlowGraph(String fileName, String flowName, Map<String, StepNode> steps, List<ParsedFlow.Decorator> flowDecorators,
                     List<ParsedFlow.ParameterDef> parameters, String startStep, String endStep) {
        this(fileName, flowName, steps, flowDecorators, parameters, startStep, endStep, List.of());
    }

    /** Every flow decorator of this name from metaflow, in the order Python applies them (bottom-up). */
    public List<ParsedFlow.Decorator> flowDecoratorsAppliedInOrder(String name) {
        List<ParsedFlow.Decorator> matching = new ArrayList<>(flowDecorators.stream()
                .filter(d -> d.fromMetaflow() && d.name().equals(name)).toList());
        java.util.Collections.reverse(matching);
        return matching;
    }

    public StepNode step(String name) {
        StepNode node = steps.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no step " + name);
        }
        return node;
    }

    /** The entry step: the one marked {@code @step(start=True)}, else {@code start}, else a flow's only step. */
    public StepNode start() {
        return step(startStep);
    }

    /** The terminal step: the one marked {@code @step(end=True)}, else {@code end}, else a flow's only step. */
    public StepNode end() {
        return step(endStep);
    }

    /**
     * The decorators Flowgate never runs — mutators and user step decorators ({@code robust_flow on the flow},
     * {@code on_gpu on train}): what they add to the graph is known only from a run's record.
     */
    public List<String> userDecorators() {
        List<String> found = new java.util.ArrayList<>();
        flowDecorators.stream().filter(d -> !d.fromMetaflow()).forEach(d -> found.add(d.name() + " on the flow"));
        steps.values().forEach(step -> step.decorators().stream().filter(d -> !d.fromMetaflow())
                .forEach(d -> found.add(d.name() + " on " + step.name())));
        return found;
    }

    public Optional<ParsedFlow.Decorator> flowDecorator(String name) {
        return flowDecorators.stream().filter(d -> d.fromMetaflow() && d.name().equals(name)).findFirst();
    }

    /** The graph as text, one step a line, as {@code flowgate graph} prints it. */
    public String describe() {
        StringBuilder out = new StringBuilder(flowName + " (" + fileName + ")\n");
        for (StepNode node : steps.values()) {
            out.append(String.format("  %-20s %-14s", node.name(), node.type().metaflowName()
                    + (node.type() == NodeType.PARALLEL_FOREACH ? "(parallel)" : "")));
            if (!node.outFuncs().isEmpty()) {
                out.append(" -> ").append(String.join(", ", node.outFuncs()));
            }
            if (node.foreachParam() != null) {
                out.append("  foreach=").append(node.foreachParam());
            }
            if (node.numParallel() > 0) {
                out.append("  num_parallel=").append(node.numParallel());
            }
            if (node.matchingJoin() != null) {
                out.append("  joined by ").append(node.matchingJoin());
            }
            List<String> decorators = new ArrayList<>();
            node.decorators().forEach(d -> decorators.add("@" + d.name()));
            if (!decorators.isEmpty()) {
                out.append("  ").append(String.join(" ", decorators));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Graphviz DOT of the graph. */
    public String dot() {
        StringBuilder out = new StringBuilder("digraph \"" + flowName + "\" {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n");
        for (StepNode node : steps.values()) {
            String shape = switch (node.type()) {
                case SPLIT, FOREACH, PARALLEL_FOREACH -> ", shape=trapezium";
                case JOIN -> ", shape=invtrapezium";
                case SWITCH -> ", shape=diamond";
                default -> "";
            };
            out.append("  \"").append(node.name()).append("\" [label=\"").append(node.name()).append("\\n")
                    .append(node.type().metaflowName()).append("\"").append(shape).append("];\n");
            for (String target : node.outFuncs()) {
                String label = node.foreachParam() != null ? " [label=\"foreach " + node.foreachParam() + "\"]"
                        : node.numParallel() > 0 ? " [label=\"x" + node.numParallel() + "\"]" : "";
                for (Map.Entry<String, String> c : node.switchCases().entrySet()) {
                    if (c.getValue().equals(target)) {
                        label = " [label=\"" + node.condition() + " == " + c.getKey() + "\"]";
                    }
                }
                out.append("  \"").append(node.name()).append("\" -> \"").append(target).append("\"").append(label).append(";\n");
            }
        }
        return out.append("}\n").toString();
    }
}

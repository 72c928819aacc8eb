package dev.flowgate.compiler.graph;

import dev.flowgate.compiler.parse.GangDecorator;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One step of the graph with Metaflow's derived facts: successors in source order, sorted predecessors, the
 * stack of enclosing splits, the join that closes a split, and whether it runs inside a foreach.
 */
public record StepNode(String name, NodeType type, List<String> outFuncs, List<String> inFuncs, int line,
                       List<Decorator> decorators, String foreachParam, int numParallel,
                       Map<String, String> switchCases, String condition, List<String> splitParents,
                       String matchingJoin, boolean insideForeach) {

    public StepNode {
        outFuncs = List.copyOf(outFuncs);
        inFuncs = List.copyOf(inFuncs);
        decorators = List.copyOf(decorators);
        switchCases = switchCases == null ? Map.of() : Map.copyOf(switchCases);
        splitParents = List.copyOf(splitParents);
    }

    public Optional<Decorator> decorator(String name) {
        return decorators.stream().filter(d -> d.fromMetaflow() && d.name().equals(name)).findFirst();
    }

    public boolean has(String name) {
        return decorator(name).isPresent();
    }

    /** A multi-node gang: {@code @parallel} or a distributed-training decorator built on it ({@link GangDecorator}). */
    public boolean isGang() {
        return GangDecorator.isGang(decorators);
    }
}

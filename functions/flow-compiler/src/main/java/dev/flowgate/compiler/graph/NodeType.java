package dev.flowgate.compiler.graph;

/** Metaflow's node types ({@code metaflow/graph.py}), plus the gang step Metaflow calls a parallel foreach. */
public enum NodeType {
    START, LINEAR, SPLIT, FOREACH, PARALLEL_FOREACH, SWITCH, JOIN, END;

    public String metaflowName() {
        return switch (this) {
            case START -> "start";
            case LINEAR -> "linear";
            case SPLIT -> "split";
            case FOREACH, PARALLEL_FOREACH -> "foreach";
            case SWITCH -> "split-switch";
            case JOIN -> "join";
            case END -> "end";
        };
    }

    public boolean opensSplit() {
        return this == SPLIT || this == FOREACH || this == PARALLEL_FOREACH;
    }
}

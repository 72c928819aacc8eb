package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.ParsedFlow.Decorator;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The step decorators that make a step a multi-node gang: Metaflow's {@code @parallel} and the published
 * distributed-training extensions built on it (each subclasses Metaflow's {@code ParallelDecorator} with
 * {@code IS_PARALLEL = True}, which is how Metaflow's own graph marks a parallel step). Flowgate compiles every one
 * of them exactly as {@code @parallel}: one AWS Batch multi-node parallel job. What the extension adds (its
 * launcher on {@code current}, rendezvous ports, SSH) happens inside the container, where Metaflow imports the flow
 * and runs the decorator; its arguments reach it from the flow source, so none of them changes the job.
 * An extension is imported as Metaflow's extension mechanism exposes its step decorators:
 * {@code from metaflow import torchrun} (or {@code metaflow.torchrun}).
 */
public enum GangDecorator {
    PARALLEL("parallel", "metaflow"),
    TORCHRUN("torchrun", "metaflow-torchrun"),
    DEEPSPEED("deepspeed", "metaflow-deepspeed"),
    METAFLOW_RAY("metaflow_ray", "metaflow-ray");

    private final String decoratorName;
    private final String distribution;

    GangDecorator(String decoratorName, String distribution) {
        this.decoratorName = decoratorName;
        this.distribution = distribution;
    }

    /** The name it has in {@code metaflow}'s namespace and in a flow file: {@code torchrun}. */
    public String decoratorName() {
        return decoratorName;
    }

    /** The pip distribution that provides it ({@code metaflow} itself for {@code @parallel}). */
    public String distribution() {
        return distribution;
    }

    /** How a fix names it: {@code @parallel}, {@code @torchrun (metaflow-torchrun)}. */
    public String written() {
        return "@" + decoratorName + (this == PARALLEL ? "" : " (" + distribution + ")");
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(GangDecorator::decoratorName).toList();
    }

    public static Optional<GangDecorator> named(String name) {
        return Arrays.stream(values()).filter(g -> g.decoratorName.equals(name)).findFirst();
    }

    /** The gang decorator among a step's Metaflow decorators, if any. */
    public static Optional<GangDecorator> of(List<Decorator> decorators) {
        return decorators.stream().filter(Decorator::fromMetaflow).map(d -> named(d.name())).flatMap(Optional::stream).findFirst();
    }

    public static boolean isGang(List<Decorator> decorators) {
        return of(decorators).isPresent();
    }
}

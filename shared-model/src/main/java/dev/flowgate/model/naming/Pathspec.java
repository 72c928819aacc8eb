package dev.flowgate.model.naming;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Metaflow pathspec: {@code Flow}, {@code Flow/Run}, {@code Flow/Run/Step} or {@code Flow/Run/Step/Task}.
 * Each part is validated with Metaflow's rules; absent trailing parts are {@code null}.
 */
public record Pathspec(String flow, ObjectId run, String step, ObjectId task) {

    public Pathspec {
        MetaflowNames.requireFlowName("flow_id", flow);
        if (run == null && step != null) {
            throw new InvalidNameException("pathspec", "a step needs a run");
        }
        if (step == null && task != null) {
            throw new InvalidNameException("pathspec", "a task needs a step");
        }
        if (step != null) {
            MetaflowNames.requireStepName("step_name", step);
        }
    }

    public static Pathspec flow(String flow) {
        return new Pathspec(flow, null, null, null);
    }

    public static Pathspec run(String flow, ObjectId run) {
        return new Pathspec(flow, run, null, null);
    }

    public static Pathspec step(String flow, ObjectId run, String step) {
        return new Pathspec(flow, run, step, null);
    }

    public static Pathspec task(String flow, ObjectId run, String step, ObjectId task) {
        return new Pathspec(flow, run, step, task);
    }

    /** Parses {@code Flow[/Run[/Step[/Task]]]}; every error names the part that is wrong. */
    public static Pathspec parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidNameException("pathspec", "pathspec is required: Flow, Flow/Run, Flow/Run/Step or Flow/Run/Step/Task");
        }
        String[] parts = text.split("/", -1);
        if (parts.length > 4) {
            throw new InvalidNameException("pathspec", "pathspec '" + MetaflowNames.shorten(text)
                    + "' has " + parts.length + " parts; at most 4 (Flow/Run/Step/Task)");
        }
        String flow = parts[0];
        ObjectId run = parts.length > 1 ? ObjectId.parse("run_id", parts[1]) : null;
        String step = parts.length > 2 ? parts[2] : null;
        ObjectId task = parts.length > 3 ? ObjectId.parse("task_id", parts[3]) : null;
        return new Pathspec(flow, run, step, task);
    }

    public Depth depth() {
        if (task != null) {
            return Depth.TASK;
        }
        if (step != null) {
            return Depth.STEP;
        }
        return run != null ? Depth.RUN : Depth.FLOW;
    }

    public Optional<Pathspec> parent() {
        return switch (depth()) {
            case FLOW -> Optional.empty();
            case RUN -> Optional.of(flow(flow));
            case STEP -> Optional.of(run(flow, run));
            case TASK -> Optional.of(step(flow, run, step));
        };
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(4);
        parts.add(flow);
        if (run != null) {
            parts.add(run.toString());
        }
        if (step != null) {
            parts.add(step);
        }
        if (task != null) {
            parts.add(task.toString());
        }
        return String.join("/", parts);
    }

    public enum Depth { FLOW, RUN, STEP, TASK }
}

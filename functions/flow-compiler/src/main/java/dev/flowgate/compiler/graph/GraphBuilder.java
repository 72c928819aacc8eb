package dev.flowgate.compiler.graph;

import dev.flowgate.compiler.parse.GangDecorator;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.ParsedFlow.ParsedStep;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.model.naming.MetaflowNames;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a parsed flow into a {@link FlowGraph}, applying Metaflow's lint rules ({@code metaflow/lint.py}) in
 * its order: the fundamentals first (all their problems are reported together), then the rules that walk
 * the graph (the first failure stops, as in Metaflow, because later rules assume a sound graph).
 */
public final class GraphBuilder {
    private final ParsedFlow flow;
    private final List<LintProblem> problems = new ArrayList<>();
    private String entry = "start";
    private String terminal = "end";

    private GraphBuilder(ParsedFlow flow) {
        this.flow = flow;
    }

    public static FlowGraph build(ParsedFlow flow) {
        return new GraphBuilder(flow).run();
    }

    private record Shape(NodeType type, List<String> targets, String foreachParam, int numParallel,
                         Map<String, String> cases, String condition) {
    }

    private FlowGraph run() {
        Map<String, ParsedStep> byName = new LinkedHashMap<>();
        for (ParsedStep step : flow.steps()) {
            if (byName.put(step.name(), step) != null) {
                problem(step.line(), step.name(), "the step is defined twice", "rename or remove one of them");
            }
        }
        entry = entryOrTerminal(byName, "start");
        terminal = entryOrTerminal(byName, "end");
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (ParsedStep step : byName.values()) {
            checkName(step);
            shapes.put(step.name(), shape(step));
        }
        if (!byName.containsKey(entry)) {
            problem(flow.line(), null, "the flow has no step named 'start'", "add an @step method called start (or mark one"
                    + " step @step(start=True)); every flow begins there");
        }
        if (!byName.containsKey(terminal)) {
            problem(flow.line(), null, "the flow has no step named 'end'", "add an @step method called end (or mark one"
                    + " step @step(end=True)); every flow finishes there");
        }
        for (Map.Entry<String, Shape> entry : shapes.entrySet()) {
            for (String target : entry.getValue().targets()) {
                if (!byName.containsKey(target)) {
                    ParsedStep step = byName.get(entry.getKey());
                    problem(step.tailLine(), step.name(), "self.next() goes to '" + target + "', which is not a step of this flow",
                            "check the spelling, or add @step to the method " + target);
                }
            }
        }
        stopIfProblems();

        // predecessors
        Map<String, Set<String>> in = new HashMap<>();
        byName.keySet().forEach(n -> in.put(n, new TreeSet<>()));
        shapes.forEach((name, shape) -> shape.targets().forEach(t -> in.get(t).add(name)));
        if (!in.get(entry).isEmpty()) {
            problem(byName.get(entry).line(), entry, "the start step is the target of self.next() in " + in.get(entry),
                    "no step may go back to " + entry);
        }
        checkCycles(shapes, byName);
        stopIfProblems();
        checkReachable(shapes, byName);
        stopIfProblems();

        // derived facts, walking from start in source order
        Map<String, List<String>> splitParents = new HashMap<>();
        Map<String, String> matchingJoin = new HashMap<>();
        Map<String, Map<String, String>> branchOf = new HashMap<>();
        walk(entry, new ArrayList<>(), new HashMap<>(), shapes, byName, in, splitParents, matchingJoin, branchOf, new HashSet<>());
        stopIfProblems();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            Shape shape = e.getValue();
            ParsedStep step = byName.get(e.getKey());
            if ((shape.type() == NodeType.FOREACH || shape.type() == NodeType.PARALLEL_FOREACH)
                    && shapes.get(shape.targets().get(0)).type() == NodeType.JOIN) {
                problem(step.tailLine(), step.name(), "a foreach goes straight to the join '" + shape.targets().get(0) + "'",
                        "add at least one step between the foreach and its join");
            }
            if (shape.type() == NodeType.PARALLEL_FOREACH) {
                ParsedStep target = byName.get(shape.targets().get(0));
                if (!GangDecorator.isGang(target.decorators())) {
                    problem(target.line(), target.name(), "it is started with num_parallel but has no @parallel",
                            "add one of " + Arrays.stream(GangDecorator.values()).map(GangDecorator::written)
                                    .collect(Collectors.joining(", ")) + " to " + target.name());
                }
            }
            Optional<GangDecorator> gang = GangDecorator.of(step.decorators());
            if (gang.isPresent()) {
                String written = "@" + gang.get().decoratorName();
                List<String> gangs = step.decorators().stream().filter(d -> d.fromMetaflow() && GangDecorator.named(d.name()).isPresent())
                        .map(d -> "@" + d.name()).toList();
                if (gangs.size() > 1) {
                    problem(step.line(), step.name(), "it has " + String.join(" and ", gangs) + ": each makes the step a gang"
                            + " of its own and Metaflow would run both setups on every node", "keep one of them");
                }
                Shape own = shapes.get(step.name());
                if (own.type() != NodeType.LINEAR || shapes.get(own.targets().get(0)).type() != NodeType.JOIN) {
                    problem(step.line(), step.name(), "a " + written + " step must be followed by a join step",
                            "make its self.next() go to a step that takes (self, inputs)");
                }
                boolean reachedByNumParallel = in.get(step.name()).stream().allMatch(p -> shapes.get(p).type() == NodeType.PARALLEL_FOREACH);
                if (!reachedByNumParallel) {
                    problem(step.line(), step.name(), "a " + written + " step must be reached with self.next(self." + step.name()
                            + ", num_parallel=N)", "start it with num_parallel");
                }
            }
            if (shape.type() == NodeType.SWITCH) {
                for (String target : shape.targets()) {
                    if (!target.equals(step.name()) && shapes.get(target).type() == NodeType.JOIN) {
                        problem(step.tailLine(), step.name(), "a switch case leads straight into the join '" + target + "'",
                                "add an unconditional step on that path");
                    }
                }
            }
        }
        stopIfProblems();

        Map<String, StepNode> nodes = new LinkedHashMap<>();
        for (ParsedStep step : byName.values()) {
            Shape shape = shapes.get(step.name());
            List<String> parents = splitParents.getOrDefault(step.name(), List.of());
            boolean insideForeach = false;
            int limit = shape.type() == NodeType.JOIN ? parents.size() - 1 : parents.size();
            for (int i = 0; i < limit; i++) {
                NodeType t = shapes.get(parents.get(i)).type();
                insideForeach |= t == NodeType.FOREACH || t == NodeType.PARALLEL_FOREACH;
            }
            NodeType type = shape.type() == NodeType.LINEAR && step.name().equals(entry) ? NodeType.START : shape.type();
            nodes.put(step.name(), new StepNode(step.name(), type, shape.targets(), new ArrayList<>(in.get(step.name())),
                    step.line(), step.decorators(), shape.foreachParam(), shape.numParallel(), shape.cases(), shape.condition(),
                    parents, matchingJoin.get(step.name()), insideForeach));
        }
        return new FlowGraph(flow.fileName(), flow.className(), nodes, flow.decorators(), flow.parameters(), entry, terminal,
                flow.moduleBindings());
    }

    /**
     * Metaflow 2.19's rules: the step marked {@code @step(start=True)} (resp. {@code end=True}); else the step
     * literally named start (end); else, in a flow of one step, that step. Two marked steps, or a marked step
     * next to one named start (end), are errors.
     */
    private String entryOrTerminal(Map<String, ParsedStep> byName, String role) {
        if (byName.size() == 1) {
            return byName.keySet().iterator().next();
        }
        List<ParsedStep> marked = byName.values().stream().filter(s -> s.decorator("step")
                .flatMap(d -> d.kwarg(role)).filter(v -> v instanceof PyExpr.Bool b && b.value()).isPresent()).toList();
        if (marked.size() > 1) {
            problem(marked.get(1).line(), marked.get(1).name(), "more than one step is marked @step(" + role + "=True): "
                    + marked.stream().map(ParsedStep::name).toList(), "mark only one " + role + " step");
        }
        if (!marked.isEmpty()) {
            String name = marked.get(0).name();
            if (!name.equals(role) && byName.containsKey(role)) {
                problem(marked.get(0).line(), name, "the step is marked @step(" + role + "=True) but the flow also has a step"
                        + " named " + role, "rename the step " + role + " or remove the annotation");
            }
            return name;
        }
        return role;
    }

    private void checkName(ParsedStep step) {
        if (MetaflowNames.RESERVED_STEP_NAMES.contains(step.name())) {
            problem(step.line(), step.name(), "'" + step.name() + "' is a reserved word in Metaflow", "choose another name for the step");
        } else if (!step.name().matches("[a-z0-9_]+") || step.name().startsWith("_")) {
            problem(step.line(), step.name(), "the step has an invalid name: only lowercase ascii letters, underscores and"
                    + " digits are allowed, not starting with an underscore", "rename it, e.g. to " + step.name().toLowerCase().replaceAll("^_+", ""));
        }
        if (step.positionalParams() == 0) {
            problem(step.line(), step.name(), "the step method has no 'self' argument", "write def " + step.name() + "(self):");
        } else if (step.positionalParams() > 2) {
            problem(step.line(), step.name(), "the step takes too many arguments: normal steps take only 'self', join steps"
                    + " take 'self' and 'inputs'", "remove the extra arguments");
        }
    }

    private Shape shape(ParsedStep step) {
        boolean isEnd = step.name().equals(terminal);
        if (step.tail().isEmpty()) {
            if (!isEnd) {
                problem(step.tailLine(), step.name(), "the step does not end with a transition: " + step.tailProblem().orElse(""),
                        "make the last line of " + step.name() + " a call like self.next(self.<next_step>)");
            } else if (step.positionalParams() == 2) {
                problem(step.line(), step.name(), "the end step must not be a join (take 'inputs')", "add a join step before " + step.name());
            }
            return new Shape(NodeType.END, List.of(), null, 0, null, null);
        }
        if (isEnd) {
            if (step.name().equals(entry)) {
                problem(step.tailLine(), step.name(), "the flow's only step is both its start and its end, so it must not call"
                        + " self.next()", "add the steps self.next() goes to (e.g. an end step), or remove self.next()");
            } else {
                problem(step.tailLine(), step.name(), "the end step must not call self.next()", "remove self.next() from " + step.name());
            }
            return new Shape(NodeType.END, List.of(), null, 0, null, null);
        }
        ParsedFlow.NextCall next = step.tail().get();
        int line = next.line();
        String invalid = "make it one of: self.next(self.a) | self.next(self.a, self.b) | self.next(self.a, foreach='items')"
                + " | self.next(self.a, num_parallel=4) | self.next({'x': self.a, 'y': self.b}, condition='attr')";
        if (next.kwargs().size() > 1) {
            problem(line, step.name(), "self.next() takes at most one keyword argument", invalid);
            return new Shape(NodeType.LINEAR, List.of(), null, 0, null, null);
        }
        if (next.kwargs().containsKey("condition")) {
            PyExpr condition = next.kwargs().get("condition");
            if (next.args().size() != 1 || !(next.args().get(0) instanceof PyExpr.Dict dict) || !(condition instanceof PyExpr.Str cond)
                    || cond.value().isEmpty()) {
                problem(line, step.name(), "a switch needs one dict of cases and condition='<artifact name>'", invalid);
                return new Shape(NodeType.SWITCH, List.of(), null, 0, null, null);
            }
            Map<String, String> cases = new LinkedHashMap<>();
            for (Map.Entry<PyExpr, PyExpr> entry : dict.entries().entrySet()) {
                Object key = PyExpr.literal(entry.getKey());
                String target = selfTarget(entry.getValue());
                if (key == PyExpr.NOT_LITERAL || key == null || target == null) {
                    problem(line, step.name(), "switch cases must map literal values to steps (self.<step>)", invalid);
                    return new Shape(NodeType.SWITCH, List.of(), null, 0, null, null);
                }
                cases.put(String.valueOf(key), target);
            }
            if (cases.size() < 2) {
                problem(line, step.name(), "a switch needs at least two cases", "add a case or use self.next(self.<step>)");
            }
            return new Shape(NodeType.SWITCH, new ArrayList<>(new java.util.LinkedHashSet<>(cases.values())), null, 0, cases, cond.value());
        }
        List<String> targets = new ArrayList<>();
        for (PyExpr arg : next.args()) {
            String target = selfTarget(arg);
            if (target == null) {
                problem(line, step.name(), "self.next() must name steps as self.<step>, found " + arg.source(), invalid);
                return new Shape(NodeType.LINEAR, List.of(), null, 0, null, null);
            }
            targets.add(target);
        }
        if (targets.isEmpty()) {
            problem(line, step.name(), "self.next() names no step", invalid);
            return new Shape(NodeType.LINEAR, List.of(), null, 0, null, null);
        }
        if (next.kwargs().containsKey("foreach") || next.kwargs().containsKey("num_parallel")) {
            if (targets.size() != 1) {
                problem(line, step.name(), "a foreach or num_parallel split goes to exactly one step", invalid);
                return new Shape(NodeType.FOREACH, List.of(), null, 0, null, null);
            }
            if (step.positionalParams() == 2) {
                problem(line, step.name(), "a join step cannot also split", "add a step between the join and the split");
            }
            if (next.kwargs().containsKey("foreach")) {
                PyExpr value = next.kwargs().get("foreach");
                if (!(value instanceof PyExpr.Str s) || s.value().isEmpty()) {
                    problem(line, step.name(), "foreach= must name an artifact as a string, e.g. foreach='items'", invalid);
                    return new Shape(NodeType.FOREACH, targets, null, 0, null, null);
                }
                return new Shape(NodeType.FOREACH, targets, s.value(), 0, null, null);
            }
            PyExpr value = next.kwargs().get("num_parallel");
            if (!(value instanceof PyExpr.Num n) || !n.isInteger() || Long.parseLong(n.text()) < 1) {
                problem(line, step.name(), "num_parallel= must be a whole number of nodes of at least 1, e.g. num_parallel=4",
                        "write the number literally (Flowgate compiles without running the flow)");
                return new Shape(NodeType.PARALLEL_FOREACH, targets, null, 1, null, null);
            }
            return new Shape(NodeType.PARALLEL_FOREACH, targets, null, Integer.parseInt(n.text()), null, null);
        }
        if (!next.kwargs().isEmpty()) {
            problem(line, step.name(), "self.next() does not take " + next.kwargs().keySet().iterator().next() + "=", invalid);
        }
        if (targets.size() > 1) {
            if (step.positionalParams() == 2) {
                problem(line, step.name(), "a join step cannot also split", "add a step between the join and the split");
            }
            return new Shape(NodeType.SPLIT, targets, null, 0, null, null);
        }
        return new Shape(step.positionalParams() == 2 ? NodeType.JOIN : NodeType.LINEAR, targets, null, 0, null, null);
    }

    private static String selfTarget(PyExpr expr) {
        if (expr instanceof PyExpr.Dotted d && d.parts().size() == 2 && d.parts().get(0).equals("self")) {
            return d.parts().get(1);
        }
        return null;
    }

    private void checkCycles(Map<String, Shape> shapes, Map<String, ParsedStep> byName) {
        Map<String, Integer> state = new HashMap<>();
        for (String name : shapes.keySet()) {
            if (cycleFrom(name, shapes, state, new ArrayDeque<>(), byName)) {
                return;
            }
        }
    }

    private boolean cycleFrom(String name, Map<String, Shape> shapes, Map<String, Integer> state, Deque<String> path,
                              Map<String, ParsedStep> byName) {
        Integer s = state.get(name);
        if (s != null && s == 2) {
            return false;
        }
        if (s != null && s == 1) {
            List<String> loop = new ArrayList<>(path);
            java.util.Collections.reverse(loop);
            loop = loop.subList(loop.indexOf(name), loop.size());
            problem(byName.get(name).line(), name, "the flow loops back: " + String.join(" -> ", loop) + " -> " + name,
                    "a flow is a directed acyclic graph; remove the transition that goes back");
            return true;
        }
        state.put(name, 1);
        path.push(name);
        Shape shape = shapes.get(name);
        for (String target : shape.targets()) {
            if (shape.type() == NodeType.SWITCH && target.equals(name)) {
                continue; // a switch may loop on itself
            }
            if (cycleFrom(target, shapes, state, path, byName)) {
                return true;
            }
        }
        path.pop();
        state.put(name, 2);
        return false;
    }

    private void checkReachable(Map<String, Shape> shapes, Map<String, ParsedStep> byName) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(entry));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (seen.add(n)) {
                todo.addAll(shapes.get(n).targets());
            }
        }
        for (ParsedStep step : byName.values()) {
            if (!seen.contains(step.name())) {
                problem(step.line(), step.name(), "the step cannot be reached from start",
                        "make another step go to it with self.next(self." + step.name() + "), or remove it");
            }
        }
    }

    /** Metaflow's traversal: split parents, matching joins, and split/join balance. */
    private void walk(String name, List<String> openSplits, Map<String, String> branches, Map<String, Shape> shapes,
                      Map<String, ParsedStep> byName, Map<String, Set<String>> in, Map<String, List<String>> splitParents,
                      Map<String, String> matchingJoin, Map<String, Map<String, String>> branchOf, Set<String> visited) {
        if (!problems.isEmpty()) {
            return;
        }
        Shape shape = shapes.get(name);
        ParsedStep step = byName.get(name);
        List<String> next = openSplits;
        if (shape.type() == NodeType.END) {
            if (!openSplits.isEmpty()) {
                problem(step.line(), name, "end is reached before the split at step '" + openSplits.get(openSplits.size() - 1)
                        + "' is joined", "add a join step (taking inputs) before end");
                return;
            }
        } else if (shape.type() == NodeType.JOIN) {
            if (openSplits.isEmpty()) {
                problem(step.line(), name, "the step takes 'inputs' like a join but no split leads to it",
                        "remove the inputs argument, or split the flow before it");
                return;
            }
            String split = openSplits.get(openSplits.size() - 1);
            for (String parent : in.get(name)) {
                List<String> parentSplits = splitParents.get(parent);
                if (parentSplits != null && shapes.get(parent).type() == NodeType.JOIN && !parentSplits.isEmpty()) {
                    parentSplits = parentSplits.subList(0, parentSplits.size() - 1); // the split it closed is done
                }
                if (parentSplits != null && (parentSplits.isEmpty() || !parentSplits.get(parentSplits.size() - 1).equals(split))
                        && !parent.equals(split)) {
                    problem(step.line(), name, "the join merges steps of different splits ('" + parent + "' is not on a branch of '"
                            + split + "')", "join each split separately, innermost first");
                    return;
                }
            }
            matchingJoin.put(split, name);
            next = openSplits.subList(0, openSplits.size() - 1);
        }
        splitParents.putIfAbsent(name, List.copyOf(openSplits));
        branchOf.putIfAbsent(name, new HashMap<>(branches));
        if (shape.type().opensSplit()) {
            next = new ArrayList<>(openSplits);
            next.add(name);
        }
        if (!visited.add(name)) {
            if (shape.type() == NodeType.JOIN) {
                walkJoinCheck(name, shapes, byName, in, branchOf);
            }
            return;
        }
        for (String target : shape.targets()) {
            if (shape.type() == NodeType.SWITCH && target.equals(name)) {
                continue;
            }
            Map<String, String> nextBranches = new HashMap<>(branches);
            if (shape.type().opensSplit()) {
                nextBranches.put(name, target);
            }
            walk(target, next, nextBranches, shapes, byName, in, splitParents, matchingJoin, branchOf, visited);
        }
        if (shape.type() == NodeType.JOIN) {
            walkJoinCheck(name, shapes, byName, in, branchOf);
        }
    }

    private final Set<String> joinsChecked = new HashSet<>();

    private void walkJoinCheck(String join, Map<String, Shape> shapes, Map<String, ParsedStep> byName,
                               Map<String, Set<String>> in, Map<String, Map<String, String>> branchOf) {
        // once every parent of the join has been walked, the branches of a static split must all arrive
        for (String parent : in.get(join)) {
            if (!branchOf.containsKey(parent)) {
                return;
            }
        }
        if (!joinsChecked.add(join)) {
            return;
        }
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            if (e.getValue().type() == NodeType.SPLIT && join.equals(findJoin(e.getKey(), shapes))) {
                Set<String> reached = new HashSet<>();
                for (String parent : in.get(join)) {
                    String branch = branchOf.get(parent).get(e.getKey());
                    if (branch != null) {
                        reached.add(branch);
                    }
                }
                if (!reached.containsAll(e.getValue().targets())) {
                    List<String> missing = new ArrayList<>(e.getValue().targets());
                    missing.removeAll(reached);
                    problem(byName.get(join).line(), join, "the branches " + missing + " of split '" + e.getKey()
                            + "' never reach this join", "make every branch of " + e.getKey() + " end in " + join);
                }
            }
        }
    }

    private String findJoin(String split, Map<String, Shape> shapes) {
        // the first join reached from every branch: follow the first branch until the split depth returns to zero
        int depth = 0;
        String current = shapes.get(split).targets().get(0);
        Set<String> guard = new HashSet<>();
        while (current != null && guard.add(current)) {
            Shape s = shapes.get(current);
            if (s.type() == NodeType.JOIN) {
                if (depth == 0) {
                    return current;
                }
                depth--;
            } else if (s.type().opensSplit()) {
                depth++;
            }
            current = s.targets().isEmpty() ? null : s.targets().get(0);
        }
        return null;
    }

    private void problem(int line, String step, String message, String fix) {
        problems.add(new LintProblem(flow.fileName(), line, step, message, fix));
    }

    private void stopIfProblems() {
        if (!problems.isEmpty()) {
            throw new FlowLintException(problems);
        }
    }
}

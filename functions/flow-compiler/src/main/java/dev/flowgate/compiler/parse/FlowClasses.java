package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.ParsedFlow.ModuleBinding;
import dev.flowgate.compiler.parse.ParsedFlow.ParameterDef;
import dev.flowgate.compiler.parse.ParsedFlow.ParsedStep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the flow among the classes of one file and merges what it inherits, as Python and Metaflow 2.19 do
 * ({@code FlowSpecMeta._init_attrs}, {@code FlowGraph._create_nodes} over {@code dir(cls)},
 * {@code FlowSpec._get_parameters}):
 * <ul>
 * <li>the flow is the class created under {@code if __name__ == "__main__":} (what {@code python flow.py ...}
 * runs, also in every Batch container); without one, the file's only FlowSpec subclass;</li>
 * <li>steps and {@code Parameter}/{@code Config}/{@code IncludeFile} attributes are looked up along the class's
 * method resolution order (C3, like Python), so a subclass overrides a base's step, and a name bound to
 * anything else in a subclass (a plain method, an attribute) hides the base's step; mixins that do not derive
 * from FlowSpec contribute steps and parameters too;</li>
 * <li>flow decorators of FlowSpec bases are inherited; one that Metaflow allows once per flow may not appear
 * on two classes of the hierarchy ({@code DuplicateFlowDecoratorException}); for {@code @exit_hook}, which may
 * repeat, the class's own decorators replace the inherited ones (Metaflow merges the flow state as
 * {@code {**inherited, **own}}); a metaflow decorator on a class that is not a FlowSpec is refused
 * ({@code BadFlowDecoratorException}).</li>
 * </ul>
 * A base class that is not defined in the file (imported from another module) is refused: the compiler reads one
 * file and cannot know what the base adds.
 */
final class FlowClasses {
    /** Flow decorators Metaflow lets a flow carry several times ({@code allow_multiple = True}). */
    private static final Set<String> REPEATABLE_FLOW_DECORATORS = Set.of("exit_hook", "airflow_external_task_sensor",
            "airflow_s3_key_sensor");

    /** A class statement at module level: its bases as written and what its body binds. */
    record ClassDef(String name, int line, List<Decorator> decorators, List<BaseRef> bases, boolean isFlow,
                    List<ParameterDef> parameters, List<ParsedStep> steps, Set<String> otherNames, SyntaxProblem bodyProblem) {
    }

    /** One base as written: a class of this file ({@code local}), metaflow's FlowSpec, or something else. */
    record BaseRef(String written, ClassDef local, boolean flowSpec) {
        boolean isObject() {
            return written.equals("object");
        }

        boolean known() {
            return local != null || flowSpec || isObject();
        }
    }

    /** {@code Name(...)} or {@code x = Name(...)} inside {@code if __name__ == "__main__":}. */
    record MainCall(String name, int line) {
    }

    private static final ClassDef FLOW_SPEC = new ClassDef("FlowSpec", 0, List.of(), List.of(), true, List.of(), List.of(),
            Set.of(), null);

    private final String fileName;
    private final List<ClassDef> classes;
    private final Map<String, ClassDef> byName = new LinkedHashMap<>();
    private final List<ModuleBinding> bindings;

    private FlowClasses(String fileName, List<ClassDef> classes, List<ModuleBinding> bindings) {
        this.fileName = fileName;
        this.classes = classes;
        this.bindings = bindings;
        classes.forEach(c -> byName.put(c.name(), c));
    }

    /** The flow of the file with everything it inherits; throws {@link SyntaxProblem} when there is none. */
    static ParsedFlow resolve(String fileName, List<ClassDef> classes, List<MainCall> mainCalls, List<ModuleBinding> bindings) {
        return new FlowClasses(fileName, classes, bindings).resolve(mainCalls);
    }

    private ParsedFlow resolve(List<MainCall> mainCalls) {
        ClassDef flow = chooseFlow(mainCalls);
        List<ClassDef> mro = linearize(flow, new LinkedHashSet<>());
        refuseMetaflowDecoratorsOnPlainClasses();
        for (ClassDef c : mro) {
            if (c.bodyProblem() != null) {
                throw c.bodyProblem();
            }
        }
        List<ClassDef> members = mro.stream().filter(c -> c != FLOW_SPEC).toList();
        Map<String, ClassDef> owner = new HashMap<>();
        for (ClassDef c : members) {
            c.steps().forEach(s -> owner.putIfAbsent(s.name(), c));
            c.parameters().forEach(p -> owner.putIfAbsent(p.attribute(), c));
            c.otherNames().forEach(n -> owner.putIfAbsent(n, c));
        }
        List<ParsedStep> steps = new ArrayList<>();
        List<ParameterDef> parameters = new ArrayList<>();
        for (ClassDef c : members) {
            c.steps().stream().filter(s -> owner.get(s.name()) == c).forEach(steps::add);
            c.parameters().stream().filter(p -> owner.get(p.attribute()) == c && isParameterAttribute(p.attribute()))
                    .forEach(parameters::add);
        }
        parameters.forEach(FlowClasses::refuseReservedName);
        // in the order they are written in the file (for a flow without bases: its own source order)
        steps.sort(Comparator.comparingInt(ParsedStep::line));
        parameters.sort(Comparator.comparingInt(ParameterDef::line));
        return new ParsedFlow(fileName, flow.name(), flow.line(), flowDecorators(flow, mro), parameters, steps, bindings);
    }

    /**
     * Metaflow 2.19's {@code FlowSpec._get_parameters} skips attributes starting with {@code _} and those in
     * {@code FlowSpec._NON_PARAMETERS}: a Parameter, Config or IncludeFile bound to one is silently no parameter
     * (no option, no default, {@code self.name} stays the flow's name).
     */
    static final Set<String> NON_PARAMETERS = Set.of("cmd", "foreach_stack", "index", "input", "script_name", "name");

    /** Parameter names Metaflow 2.19 refuses ({@code Parameter.init}): its own command-line options, also with {@code _}. */
    static final Set<String> RESERVED_PARAMETER_NAMES = Set.of("params", "with", "tag", "namespace", "obj", "tags",
            "decospecs", "run-id-file", "run_id_file", "max-num-splits", "max_num_splits", "max-workers", "max_workers",
            "max-log-size", "max_log_size", "user-namespace", "user_namespace", "run-id", "run_id", "task-id", "task_id",
            "runner-attribute-file", "runner_attribute_file");

    private static boolean isParameterAttribute(String attribute) {
        return !attribute.startsWith("_") && !NON_PARAMETERS.contains(attribute);
    }

    private static void refuseReservedName(ParameterDef parameter) {
        if (RESERVED_PARAMETER_NAMES.contains(parameter.name())) {
            // Metaflow fails every command of the flow with "Parameter name 'tags' is a reserved word"
            throw new SyntaxProblem(parameter.line(), parameter.kind() + " name '" + parameter.name()
                    + "' is a reserved word (an option of Metaflow's own command line)",
                    "use a different name for your parameter, e.g. " + parameter.kind() + "(\"my_" + parameter.name().replace('-', '_')
                    + "\", ...)");
        }
    }

    private ClassDef chooseFlow(List<MainCall> mainCalls) {
        Set<ClassDef> started = new LinkedHashSet<>();
        for (MainCall call : mainCalls) {
            ClassDef c = byName.get(call.name());
            if (c != null && c.isFlow()) {
                started.add(c);
            } else if (c != null) {
                refuseUnknownBases(c);
            }
        }
        if (started.size() > 1) {
            List<String> names = started.stream().map(ClassDef::name).toList();
            throw new SyntaxProblem(mainCalls.get(mainCalls.size() - 1).line(), "the file starts several flows under"
                    + " if __name__ == \"__main__\": " + names, "start one flow per file; move the others to their own files");
        }
        if (started.size() == 1) {
            return started.iterator().next();
        }
        List<ClassDef> flows = byName.values().stream().filter(ClassDef::isFlow).toList();
        if (flows.size() == 1) {
            return flows.get(0);
        }
        if (flows.isEmpty()) {
            // a class that looks like a flow (it has @step methods or derives from a ...Flow...) built on an import
            byName.values().stream().filter(c -> c.bases().stream().anyMatch(b -> !b.known() && importOf(b.written()).isPresent()
                            && (!c.steps().isEmpty() || b.written().contains("Flow"))))
                    .findFirst().ifPresent(this::refuseUnknownBases);
            throw new SyntaxProblem(1, "no class deriving from metaflow's FlowSpec was found",
                    "write: from metaflow import FlowSpec, step  and  class MyFlow(FlowSpec): ...");
        }
        ClassDef last = flows.get(flows.size() - 1);
        throw new SyntaxProblem(last.line(), "the file defines several flows, " + flows.stream().map(ClassDef::name).toList()
                + ", and does not say which one runs", "end the file with  if __name__ == \"__main__\": " + last.name()
                + "()  (Metaflow runs the flow created there; the other classes may serve as its bases)");
    }

    /** C3 linearization, as Python computes a class's {@code __mro__} ({@code object} left out). */
    private List<ClassDef> linearize(ClassDef c, Set<ClassDef> inProgress) {
        if (c == FLOW_SPEC) {
            return List.of(FLOW_SPEC);
        }
        refuseUnknownBases(c);
        if (!inProgress.add(c)) {
            throw new SyntaxProblem(c.line(), "class " + c.name() + " derives from itself", "remove the class from its own bases");
        }
        List<ClassDef> direct = c.bases().stream().filter(b -> !b.isObject())
                .map(b -> b.flowSpec() ? FLOW_SPEC : b.local()).toList();
        List<List<ClassDef>> sequences = new ArrayList<>();
        for (ClassDef base : direct) {
            sequences.add(new ArrayList<>(linearize(base, inProgress)));
        }
        sequences.add(new ArrayList<>(direct));
        inProgress.remove(c);
        List<ClassDef> result = new ArrayList<>(List.of(c));
        while (sequences.stream().anyMatch(s -> !s.isEmpty())) {
            ClassDef next = null;
            for (List<ClassDef> s : sequences) {
                if (!s.isEmpty() && sequences.stream().noneMatch(other -> other.indexOf(s.get(0)) > 0)) {
                    next = s.get(0);
                    break;
                }
            }
            if (next == null) {
                throw new SyntaxProblem(c.line(), "Python cannot order the bases of class " + c.name() + " (no consistent method"
                        + " resolution order for " + c.bases().stream().map(BaseRef::written).toList() + ")",
                        "list the bases so that every class comes before the classes it derives from, e.g. mixins first");
            }
            result.add(next);
            for (List<ClassDef> s : sequences) {
                if (!s.isEmpty() && s.get(0) == next) {
                    s.remove(0);
                }
            }
        }
        return result;
    }

    private void refuseUnknownBases(ClassDef c) {
        for (BaseRef base : c.bases()) {
            if (base.known()) {
                continue;
            }
            Optional<ModuleBinding> imported = importOf(base.written());
            if (imported.isPresent()) {
                ModuleBinding b = imported.get();
                String from = b.importedName() == null ? b.module() : b.module() + " (line " + b.line() + ")";
                throw new SyntaxProblem(c.line(), "class " + c.name() + " derives from " + base.written() + ", which is imported from "
                        + from + "; Flowgate reads only this file, so it cannot see the steps, parameters and decorators "
                        + base.written() + " adds", "define " + base.written() + " (and the classes it derives from) in this file above "
                        + c.name() + ", or write the flow as one class deriving from FlowSpec");
            }
            throw new SyntaxProblem(c.line(), "class " + c.name() + " derives from " + base.written() + ", which is not a class"
                    + " defined at the top level of this file", "define " + base.written() + " with a class statement above "
                    + c.name() + ", or derive from FlowSpec");
        }
    }

    /** The import that binds the first name of {@code written} ({@code base} of {@code base.BaseFlow}), if any. */
    private Optional<ModuleBinding> importOf(String written) {
        String first = written.split("[.\\[(]", 2)[0].trim();
        ModuleBinding found = null;
        for (ModuleBinding b : bindings) {
            if (b.name().equals(first)) {
                found = b;
            }
        }
        return Optional.ofNullable(found).filter(b -> b.kind() == ModuleBinding.Kind.IMPORT);
    }

    private void refuseMetaflowDecoratorsOnPlainClasses() {
        for (ClassDef c : classes) {
            if (c.isFlow() || c.bases().stream().anyMatch(b -> !b.known())) {
                continue;
            }
            for (Decorator d : c.decorators()) {
                if (d.fromMetaflow()) {
                    throw new SyntaxProblem(d.line(), "@" + d.name() + " is on class " + c.name() + ", which does not derive from"
                            + " FlowSpec (Metaflow refuses it: a flow decorator applies only to a FlowSpec)",
                            "move @" + d.name() + " to the flow class, or to a base class deriving from FlowSpec");
                }
            }
        }
    }

    /**
     * The flow's decorators: those of its FlowSpec bases (most basic first, each class in source order), then its
     * own. A decorator Metaflow allows once may appear on one class of the hierarchy only; a repeatable one on
     * the class itself replaces the inherited ones of that name.
     */
    private List<Decorator> flowDecorators(ClassDef flow, List<ClassDef> mro) {
        Map<String, ClassDef> onceFrom = new HashMap<>();
        List<Decorator> inherited = new ArrayList<>();
        for (int i = mro.size() - 1; i >= 1; i--) {
            ClassDef base = mro.get(i);
            if (!base.isFlow() || base == FLOW_SPEC) {
                continue;
            }
            for (Decorator d : base.decorators()) {
                if (d.fromMetaflow() && !REPEATABLE_FLOW_DECORATORS.contains(d.name())) {
                    ClassDef other = onceFrom.putIfAbsent(d.name(), base);
                    if (other != null && other != base) {
                        throw duplicate(d, base, other);
                    }
                }
                inherited.add(d);
            }
        }
        Set<String> own = new LinkedHashSet<>();
        for (Decorator d : flow.decorators()) {
            if (d.fromMetaflow() && !REPEATABLE_FLOW_DECORATORS.contains(d.name()) && onceFrom.containsKey(d.name())) {
                throw duplicate(d, flow, onceFrom.get(d.name()));
            }
            own.add(d.name());
        }
        List<Decorator> result = new ArrayList<>(inherited.stream()
                .filter(d -> !(d.fromMetaflow() && REPEATABLE_FLOW_DECORATORS.contains(d.name()) && own.contains(d.name()))).toList());
        result.addAll(flow.decorators());
        return result;
    }

    private SyntaxProblem duplicate(Decorator d, ClassDef at, ClassDef other) {
        int otherLine = other.decorators().stream().filter(o -> o.name().equals(d.name())).findFirst().map(Decorator::line).orElse(other.line());
        return new SyntaxProblem(d.line(), "@" + d.name() + " is on class " + at.name() + " and on class " + other.name() + " (line "
                + otherLine + "), which are both part of the flow; Metaflow allows it once per flow, inherited ones included",
                "keep @" + d.name() + " on one class only (a subclass inherits its base's flow decorators)");
    }
}

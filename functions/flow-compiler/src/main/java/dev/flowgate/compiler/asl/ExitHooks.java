package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.ParsedFlow.ModuleBinding;
import dev.flowgate.compiler.parse.PyExpr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hooks of a flow's {@code @exit_hook} decorators, resolved the way Metaflow 2.19 resolves them but without
 * running the file. Metaflow keeps, per decorator, the names of the functions listed in {@code on_success} and
 * {@code on_error} (a function's {@code __name__}, or the string as written); after the run its runtime calls each
 * name of the list that matches the outcome, in order, with
 * {@code python -m metaflow.plugins.exit_hook.exit_hook_script <flow file> <name> <Flow>/<run id>}, which imports a
 * dotted name as {@code module.function} and otherwise looks the name up in the flow file. Several decorators are
 * applied bottom-up, so their hooks run in that order. On Argo, Metaflow runs each hook in the start step's image
 * unless {@code options={"image": ...}} names another; Flowgate does the same.
 *
 * @param onSuccess hooks run after the end step succeeded, in order
 * @param onError   hooks run after the run failed, in order
 */
public record ExitHooks(List<Hook> onSuccess, List<Hook> onError) {
    private static final Set<String> ARGUMENTS = Set.of("on_success", "on_error", "options");
    private static final Pattern IMPORT_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    public ExitHooks {
        onSuccess = List.copyOf(onSuccess);
        onError = List.copyOf(onError);
    }

    /** One hook: the name the exit hook script receives, and the image its Batch job runs in. */
    public record Hook(String function, String image) {
    }

    public boolean isEmpty() {
        return onSuccess.isEmpty() && onError.isEmpty();
    }

    /**
     * The flow's hooks (none without {@code @exit_hook}); {@code defaultImage} is the start step's image. Refuses,
     * naming file, line and fix, whatever Metaflow would reject or Flowgate cannot resolve without running the file.
     */
    public static ExitHooks of(FlowGraph graph, String defaultImage) {
        List<Hook> onSuccess = new ArrayList<>();
        List<Hook> onError = new ArrayList<>();
        List<LintProblem> problems = new ArrayList<>();
        for (Decorator decorator : graph.flowDecoratorsAppliedInOrder("exit_hook")) {
            Resolver resolver = new Resolver(graph, decorator, problems);
            String image = resolver.image().orElse(defaultImage);
            if (!decorator.args().isEmpty()) {
                resolver.problem("@exit_hook takes keyword arguments only",
                        "write @exit_hook(on_success=[notify], on_error=[alert])");
            }
            decorator.kwargs().keySet().stream().filter(k -> !ARGUMENTS.contains(k)).sorted().forEach(k ->
                    resolver.problem("@exit_hook has no argument '" + k + "'", "use on_success=[...], on_error=[...] and options={...}"));
            List<String> success = resolver.functions("on_success");
            List<String> error = resolver.functions("on_error");
            if (resolver.listsNothing("on_success") && resolver.listsNothing("on_error") && decorator.args().isEmpty()) {
                resolver.problem("@exit_hook names no hook (Metaflow refuses it: \"Choose at least one of the options"
                        + " on_success/on_error\")", "list at least one function, e.g. @exit_hook(on_error=[alert])");
            }
            success.forEach(f -> onSuccess.add(new Hook(f, image)));
            error.forEach(f -> onError.add(new Hook(f, image)));
        }
        if (!problems.isEmpty()) {
            throw new FlowLintException(problems);
        }
        return new ExitHooks(onSuccess, onError);
    }

    /** Resolves the arguments of one {@code @exit_hook}, collecting problems. */
    private record Resolver(FlowGraph graph, Decorator decorator, List<LintProblem> problems) {

        void problem(String message, String fix) {
            problems.add(new LintProblem(graph.fileName(), decorator.line(), null, message, fix));
        }

        Optional<String> image() {
            Optional<PyExpr> options = decorator.kwarg("options").filter(v -> !(v instanceof PyExpr.None));
            if (options.isEmpty()) {
                return Optional.empty();
            }
            if (!(PyExpr.literal(options.get()) instanceof Map<?, ?> map)) {
                problem("@exit_hook(options=" + options.get().source() + ") must be a dict written literally (Flowgate"
                        + " compiles the flow without running it)", "write e.g. options={\"image\": \"python:3.11\"}");
                return Optional.empty();
            }
            for (Object key : map.keySet()) {
                if (!"image".equals(key)) {
                    problem("@exit_hook(options=...) has the key '" + key + "'; Metaflow's deployers read only 'image'"
                            + " (the container image of the hooks)", "drop '" + key + "' from options");
                }
            }
            Object image = map.get("image");
            if (image == null) {
                return Optional.empty();
            }
            if (!(image instanceof String s) || s.isBlank()) {
                problem("@exit_hook(options={\"image\": ...}) must be a non-empty string", "write e.g. options={\"image\": \"python:3.11\"}");
                return Optional.empty();
            }
            return Optional.of(s);
        }

        /** True when the argument is absent or an empty list. */
        boolean listsNothing(String argument) {
            Optional<PyExpr> value = decorator.kwarg(argument);
            return value.isEmpty() || value.get() instanceof PyExpr.Seq seq && seq.items().isEmpty();
        }

        /** The names of the functions of {@code on_success} or {@code on_error}, in order. */
        List<String> functions(String argument) {
            Optional<PyExpr> value = decorator.kwarg(argument);
            if (value.isEmpty()) {
                return List.of();
            }
            if (!(value.get() instanceof PyExpr.Seq seq)) {
                problem("@exit_hook(" + argument + "=" + value.get().source() + ") must be a list (Metaflow iterates it)",
                        "write " + argument + "=[" + value.get().source() + "]");
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (PyExpr item : seq.items()) {
                name(argument, item).ifPresent(names::add);
            }
            return names;
        }

        private Optional<String> name(String argument, PyExpr item) {
            if (item instanceof PyExpr.Str s) {
                return string(argument, s.value());
            }
            if (item instanceof PyExpr.Dotted d && d.parts().size() == 1) {
                return function(argument, d.parts().get(0));
            }
            if (item instanceof PyExpr.Dotted d) {
                problem("@exit_hook(" + argument + "=[" + d.source() + "]): Metaflow keeps only the function's own name ('"
                        + d.parts().get(d.parts().size() - 1) + "') and looks it up in the flow file, where it is not defined",
                        "pass the import path as a string: " + argument + "=[\"" + d.source() + "\"]");
                return Optional.empty();
            }
            problem("@exit_hook(" + argument + "=[" + item.source() + "]) must list functions by name or as strings",
                    "define the hook with def at module level above the flow class and write " + argument + "=[its_name]");
            return Optional.empty();
        }

        /** A string: an import path {@code module.function}, or the name of a function of the flow file. */
        private Optional<String> string(String argument, String value) {
            if (!IMPORT_PATH.matcher(value).matches()) {
                problem("@exit_hook(" + argument + "=[\"" + value + "\"]) is neither a function name nor an import path",
                        "write the name of a function of the flow file, or module.function");
                return Optional.empty();
            }
            if (!value.contains(".") && graph.moduleBindings().stream().noneMatch(b -> b.name().equals(value))) {
                problem("@exit_hook(" + argument + "=[\"" + value + "\"]) names no function of " + graph.fileName()
                        + " (Metaflow looks a name without a dot up in the flow file)",
                        "define def " + value + "(run=None): ... at module level, or write the import path, e.g. \"hooks." + value + "\"");
                return Optional.empty();
            }
            return Optional.of(value);
        }

        /** A bare name: the module-level binding in effect when Python evaluates the decorator. */
        private Optional<String> function(String argument, String name) {
            ModuleBinding binding = null;
            ModuleBinding later = null;
            for (ModuleBinding b : graph.moduleBindings()) {
                if (b.name().equals(name)) {
                    if (b.line() < decorator.line()) {
                        binding = b;
                    } else if (later == null) {
                        later = b;
                    }
                }
            }
            if (binding == null) {
                if (later != null) {
                    problem("@exit_hook(" + argument + "=[" + name + "]): " + name + " is defined at line " + later.line()
                            + ", below the flow class; Python evaluates the decorator when the class is created, so the name"
                            + " does not exist yet", "move def " + name + " above the class, or write the name as a string: \"" + name + "\"");
                } else {
                    problem("@exit_hook(" + argument + "=[" + name + "]): no function named " + name + " is defined at module level in "
                            + graph.fileName(), "define def " + name + "(run=None): ... above the flow class, or import it");
                }
                return Optional.empty();
            }
            switch (binding.kind()) {
                case FUNCTION -> {
                    return Optional.of(name);
                }
                case IMPORT -> {
                    if (binding.importedName() == null) {
                        problem("@exit_hook(" + argument + "=[" + name + "]): " + name + " is a module (imported at line "
                                + binding.line() + "), not a function", "name a function, e.g. \"" + name + ".notify\"");
                        return Optional.empty();
                    }
                    if (!binding.importedName().equals(name)) {
                        problem("@exit_hook(" + argument + "=[" + name + "]): " + name + " is " + binding.importedName()
                                + " imported under another name (line " + binding.line() + "); Metaflow keeps the function's own"
                                + " name '" + binding.importedName() + "', which the flow file does not define",
                                binding.module().startsWith(".") ? "import it without 'as'"
                                        : "import it without 'as', or write \"" + binding.module() + "." + binding.importedName() + "\"");
                        return Optional.empty();
                    }
                    return Optional.of(name);
                }
                default -> {
                    problem("@exit_hook(" + argument + "=[" + name + "]): " + name + " is assigned at line " + binding.line()
                            + ", so its function is known only when the file runs (Flowgate never runs it)",
                            "define the hook with def " + name + "(run=None): ..., or write the function's name as a string");
                    return Optional.empty();
                }
            }
        }
    }
}

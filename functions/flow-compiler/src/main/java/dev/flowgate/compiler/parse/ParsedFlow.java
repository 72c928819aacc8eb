package dev.flowgate.compiler.parse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the parser read from a flow file: the FlowSpec class, its flow decorators, parameters and steps. It
 * is the raw material of the graph; validation happens in {@code dev.flowgate.compiler.graph}.
 */
public record ParsedFlow(String fileName, String className, int line, List<Decorator> decorators,
                         List<ParameterDef> parameters, List<ParsedStep> steps, List<ModuleBinding> moduleBindings) {

    public ParsedFlow {
        decorators = List.copyOf(decorators);
        parameters = List.copyOf(parameters);
        steps = List.copyOf(steps);
        moduleBindings = List.copyOf(moduleBindings);
    }

    public ParsedFlow(String fileName, String className, int line, List<Decorator> decorators,
                      List<ParameterDef> parameters, List<ParsedStep> steps) {
        this(fileName, className, line, decorators, parameters, steps, List.of());
    }

    /**
     * A name the file binds at module level (not inside an {@code if}/{@code try} block), in source order: a
     * {@code def}, an import ({@code from hooks import notify as n}: name {@code n}, importedName {@code notify},
     * module {@code hooks}) or an assignment. Lets the compiler resolve names such as {@code @exit_hook}'s hook
     * functions without running the file.
     */
    public record ModuleBinding(String name, int line, Kind kind, String module, String importedName) {
        public enum Kind { FUNCTION, IMPORT, ASSIGNMENT }
    }

    public Optional<Decorator> decorator(String name) {
        return decorators.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** A decorator as written, its name resolved through the file's imports (e.g. {@code b} → {@code batch}). */
    public record Decorator(String name, List<PyExpr> args, Map<String, PyExpr> kwargs, int line, boolean fromMetaflow) {
        public Decorator {
            args = List.copyOf(args);
            kwargs = Map.copyOf(kwargs);
        }

        public Optional<PyExpr> kwarg(String key) {
            return Optional.ofNullable(kwargs.get(key));
        }
    }

    /**
     * {@code attribute = Parameter("name", default=…)} (kind also {@code Config} or {@code IncludeFile}); {@code arguments}
     * are the call's keyword arguments as written (a Config's {@code default=} file, {@code default_value=}, {@code parser=}).
     */
    public record ParameterDef(String attribute, String kind, String name, Optional<PyExpr> defaultValue,
                               boolean required, int line, Map<String, PyExpr> arguments) {
        public ParameterDef {
            arguments = Map.copyOf(arguments);
        }

        public ParameterDef(String attribute, String kind, String name, Optional<PyExpr> defaultValue, boolean required, int line) {
            this(attribute, kind, name, defaultValue, required, line, Map.of());
        }
    }

    /**
     * A method carrying {@code @step}. {@code tail} is the {@code self.next(...)} call ending its body, if the
     * body ends with one; {@code tailProblem} says why not otherwise.
     */
    public record ParsedStep(String name, int line, int positionalParams, List<Decorator> decorators,
                             Optional<NextCall> tail, Optional<String> tailProblem, int tailLine) {
        public ParsedStep {
            decorators = List.copyOf(decorators);
        }

        public Optional<Decorator> decorator(String name) {
            return decorators.stream().filter(d -> d.name().equals(name)).findFirst();
        }

        public boolean has(String name) {
            return decorator(name).isPresent();
        }
    }

    /** {@code self.next(...)}: positional targets and keyword arguments as written. */
    public record NextCall(List<PyExpr> args, Map<String, PyExpr> kwargs, int line) {
        public NextCall {
            args = List.copyOf(args);
            kwargs = Map.copyOf(kwargs);
        }
    }
}

package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.ParsedFlow.ModuleBinding;
import dev.flowgate.compiler.parse.ParsedFlow.NextCall;
import dev.flowgate.compiler.parse.ParsedFlow.ParameterDef;
import dev.flowgate.compiler.parse.ParsedFlow.ParsedStep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a Metaflow flow in Python source without running it: resolves what the file imports from
 * {@code metaflow} (with aliases), finds the {@code FlowSpec} subclass, its flow decorators, its
 * {@code Parameter}/{@code Config}/{@code IncludeFile} attributes, and each {@code @step} method with its
 * decorators and the {@code self.next(...)} call its body ends with. Bodies are otherwise skipped.
 */
public final class FlowParser {
    private static final Set<String> COMPOUND = Set.of("if", "for", "while", "with", "try", "def", "class", "async", "match");
    private static final Set<String> AUGMENTED = Set.of("+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", "@=");
    private static final Set<String> PARAMETER_KINDS = Set.of("Parameter", "Config", "IncludeFile");
    /** Keywords after which the names that follow (to the end of the clause) are bound. */
    private static final Set<String> BINDING_KEYWORDS = Set.of("for", "as", "import", "global", "nonlocal", "del", "def", "class");

    private final String fileName;
    private final List<Token> tokens;
    private int pos;
    /** local name → metaflow name, for names imported from metaflow ({@code b} → {@code batch}). */
    private final Map<String, String> metaflowNames = new HashMap<>();
    /** local names bound to the metaflow module itself ({@code metaflow}, {@code mf}). */
    private final Set<String> metaflowModules = new HashSet<>();
    /**
     * What module-level names are bound to, in source order so far: constants ({@code NAME = <expression>},
     * {@code NAME: Final[int] = <expression>}) Flowgate computes where decorators use them, or why a name is not one.
     */
    private final Map<String, ConstantFolder.Binding> moduleScope = new HashMap<>();
    /** Names bound in the class body being read (a decorator of a method sees them before module names). */
    private Map<String, ConstantFolder.Binding> classScope;
    /** Names a method assigns: its {@code self.next(...)} does not see module constants of the same name. */
    private Set<String> methodLocals = Set.of();
    private final ConstantFolder moduleFolder = new ConstantFolder(moduleScope::get);
    private final ConstantFolder classFolder = new ConstantFolder(this::classLookup);
    private final ConstantFolder methodFolder = new ConstantFolder(
            name -> methodLocals.contains(name) ? new ConstantFolder.Binding.Unknown("'" + name + "' is a local variable of the step")
                    : moduleScope.get(name));
    /** names bound at module level, in source order. */
    private final List<ModuleBinding> bindings = new ArrayList<>();
    /** module-level classes by name (the latest definition), flows and plain classes (mixins) alike. */
    private final Map<String, FlowClasses.ClassDef> classes = new LinkedHashMap<>();
    /** the classes created under {@code if __name__ == "__main__":}. */
    private final List<FlowClasses.MainCall> mainCalls = new ArrayList<>();

    private FlowParser(String fileName, String source) {
        this.fileName = fileName;
        this.tokens = Tokenizer.tokenize(source);
    }

    /** Parses {@code source}; throws {@link SyntaxProblem} when it is not readable or holds no flow. */
    public static ParsedFlow parse(String fileName, String source) {
        return new FlowParser(fileName, source).parseModule();
    }

    private ParsedFlow parseModule() {
        while (peek().kind() != Token.Kind.END) {
            Token t = peek();
            if (t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.INDENT || t.kind() == Token.Kind.DEDENT) {
                pos++;
            } else if (t.isName("import")) {
                parseImport();
            } else if (t.isName("from")) {
                parseFromImport();
            } else if (t.kind() == Token.Kind.NAME && (tokens.get(pos + 1).isOp("=") || tokens.get(pos + 1).isOp(":"))) {
                bindings.add(new ModuleBinding(t.text(), t.line(), ModuleBinding.Kind.ASSIGNMENT, null, null));
                assignment(moduleScope, moduleFolder);
            } else if (t.kind() == Token.Kind.NAME && tokens.get(pos + 1).kind() == Token.Kind.OP
                    && AUGMENTED.contains(tokens.get(pos + 1).text())) {
                augmentedAssignment(moduleScope, moduleFolder);
            } else if (t.isName("type") && tokens.get(pos + 1).kind() == Token.Kind.NAME
                    && (tokens.get(pos + 2).isOp("=") || tokens.get(pos + 2).isOp("["))) {
                // a type alias (Python 3.12): binds the name to a TypeAliasType, never a constant
                moduleScope.put(tokens.get(pos + 1).text(), unknown(tokens.get(pos + 1).text(), "a type alias", t.line()));
                bindings.add(new ModuleBinding(tokens.get(pos + 1).text(), t.line(), ModuleBinding.Kind.ASSIGNMENT, null, null));
                skipStatement();
            } else if (t.isOp("@") || t.isName("class")) {
                List<Decorator> decorators = decorators();
                if (peek().isName("class")) {
                    FlowClasses.ClassDef parsed = parseClass(decorators);
                    classes.remove(parsed.name());
                    classes.put(parsed.name(), parsed);
                    moduleScope.put(parsed.name(), unknown(parsed.name(), "a class", parsed.line()));
                } else {
                    skipModuleStatement();
                }
            } else if (isMainGuard()) {
                parseMainBlock();
            } else {
                skipModuleStatement();
            }
        }
        return FlowClasses.resolve(fileName, List.copyOf(classes.values()), mainCalls, bindings);
    }

    /** At {@code if __name__ == "__main__":} (either operand order). */
    private boolean isMainGuard() {
        if (!peek().isName("if") || pos + 4 >= tokens.size() || !tokens.get(pos + 2).isOp("==") || !tokens.get(pos + 4).isOp(":")) {
            return false;
        }
        Token left = tokens.get(pos + 1);
        Token right = tokens.get(pos + 3);
        return left.isName("__name__") && isMainString(right) || right.isName("__name__") && isMainString(left);
    }

    private static boolean isMainString(Token t) {
        return t.kind() == Token.Kind.STRING && (t.text().equals("\"__main__\"") || t.text().equals("'__main__'"));
    }

    /** Records {@code Name(...)} and {@code x = Name(...)} statements of the main block: the flows it starts. */
    private void parseMainBlock() {
        pos += 5; // if __name__ == "__main__" :
        for (int[] statement : bodyStatements()) {
            int at = statement[0];
            if (statement[1] - at >= 4 && tokens.get(at).kind() == Token.Kind.NAME && tokens.get(at + 1).isOp("=")) {
                at += 2;
            }
            if (statement[1] - at >= 2 && tokens.get(at).kind() == Token.Kind.NAME && tokens.get(at + 1).isOp("(")) {
                mainCalls.add(new FlowClasses.MainCall(tokens.get(at).text(), tokens.get(at).line()));
            }
        }
    }

    /** At {@code def NAME} or {@code async def NAME} (module level): records the function's name. */
    private void recordFunction() {
        int at = peek().isName("async") ? pos + 1 : pos;
        if (tokens.get(at).isName("def") && tokens.get(at + 1).kind() == Token.Kind.NAME) {
            bindings.add(new ModuleBinding(tokens.get(at + 1).text(), tokens.get(at).line(), ModuleBinding.Kind.FUNCTION, null, null));
        }
    }

    private void parseImport() {
        int line = next().line(); // import
        while (true) {
            List<String> dotted = dottedName();
            String bound = dotted.get(0);
            if (peek().isName("as")) {
                pos++;
                bound = expectName();
                if (dotted.size() == 1 && dotted.get(0).equals("metaflow")) {
                    metaflowModules.add(bound);
                }
            } else if (dotted.get(0).equals("metaflow") && dotted.size() == 1) {
                metaflowModules.add("metaflow");
            }
            bindings.add(new ModuleBinding(bound, line, ModuleBinding.Kind.IMPORT, String.join(".", dotted), null));
            moduleScope.put(bound, unknown(bound, "an imported module", line));
            if (peek().isOp(",")) {
                pos++;
                continue;
            }
            break;
        }
        endStatement();
    }

    private void parseFromImport() {
        int line = next().line(); // from
        int dots = 0;
        while (peek().isOp(".") || peek().isOp("...")) {
            dots += next().text().length();
        }
        List<String> module = peek().isName("import") ? List.of() : dottedName();
        expect("import");
        boolean fromMetaflow = dots == 0 && !module.isEmpty() && module.get(0).equals("metaflow");
        boolean parens = peek().isOp("(");
        if (parens) {
            pos++;
        }
        while (true) {
            while (parens && peek().kind() == Token.Kind.NEWLINE) {
                pos++;
            }
            if (parens && peek().isOp(")")) {
                pos++;
                break;
            }
            if (peek().isOp("*")) {
                pos++;
                if (fromMetaflow) {
                    for (String n : List.of("FlowSpec", "step", "Parameter", "Config", "IncludeFile", "batch", "resources",
                            "retry", "catch", "timeout", "environment", "project", "schedule", "parallel", "card",
                            "conda", "pypi", "conda_base", "pypi_base", "trigger", "trigger_on_finish", "exit_hook",
                            "secrets", "kubernetes", "current")) {
                        metaflowNames.put(n, n);
                    }
                    // Metaflow's namespace also holds every installed extension's step decorators (no __all__)
                    GangDecorator.names().forEach(n -> metaflowNames.put(n, n));
                }
            } else {
                String name = expectName();
                String bound = name;
                if (peek().isName("as")) {
                    pos++;
                    bound = expectName();
                }
                if (fromMetaflow) {
                    metaflowNames.put(bound, name);
                }
                bindings.add(new ModuleBinding(bound, line, ModuleBinding.Kind.IMPORT, ".".repeat(dots) + String.join(".", module), name));
                moduleScope.put(bound, unknown(bound, "imported from " + ".".repeat(dots) + String.join(".", module)
                        + " (Flowgate reads only this file)", line));
            }
            if (peek().isOp(",")) {
                pos++;
                continue;
            }
            if (parens && peek().isOp(")")) {
                pos++;
            }
            break;
        }
        endStatement();
    }

    /** Decorators above a class or method; their arguments are computed in the scope they are written in. */
    private List<Decorator> decorators() {
        ConstantFolder folder = classScope != null ? classFolder : moduleFolder;
        List<Decorator> result = new ArrayList<>();
        while (peek().isOp("@")) {
            int line = next().line();
            ExprParser expr = new ExprParser(tokens, pos);
            PyAst value = expr.expression();
            pos = expr.pos;
            endStatement();
            List<String> name = ConstantFolder.dottedParts(value instanceof PyAst.Call c ? c.function() : value);
            if (name != null) {
                Optional<String> resolved = resolve(new PyExpr.Dotted(name));
                CallArguments arguments = value instanceof PyAst.Call c ? callArguments(c.args(), folder, line)
                        : new CallArguments(List.of(), Map.of());
                result.add(new Decorator(resolved.orElse(String.join(".", name)), arguments.args(), arguments.kwargs(), line,
                        resolved.isPresent()));
            } else {
                result.add(new Decorator(value.source(), List.of(), Map.of(), line, false));
            }
            while (peek().kind() == Token.Kind.NEWLINE) {
                pos++;
            }
        }
        return result;
    }

    private record CallArguments(List<PyExpr> args, Map<String, PyExpr> kwargs) {
    }

    /**
     * A call's arguments with every constant part computed; {@code *CONSTANT} and {@code **CONSTANT} (a list, a dict
     * with string keys) are spread into the arguments as Python does, other {@code *x} / {@code **x} kept as written.
     */
    private CallArguments callArguments(List<PyAst.Arg> written, ConstantFolder folder, int line) {
        List<PyExpr> args = new ArrayList<>();
        Map<String, PyExpr> kwargs = new LinkedHashMap<>();
        for (PyAst.Arg arg : written) {
            if (arg.star() > 0) {
                Object value = folder.valueAt(arg.value(), line);
                if (arg.star() == 1 && spreadable(value)) {
                    ConstantFolder.iterate(value).forEach(item -> args.add(ConstantFolder.literal(item)));
                } else if (arg.star() == 2 && value instanceof PyValues.PyDict dict && dict.keys().stream().allMatch(k -> k instanceof String)) {
                    for (Object key : dict.keys()) {
                        kwargs.put((String) key, ConstantFolder.literal(dict.get(key)));
                    }
                } else {
                    args.add(new PyExpr.Opaque("*".repeat(arg.star()) + " " + arg.value().source()));
                }
            } else if (arg.name() != null) {
                kwargs.put(arg.name(), folder.fold(arg.value(), line));
            } else {
                args.add(folder.fold(arg.value(), line));
            }
        }
        return new CallArguments(args, kwargs);
    }

    private static boolean spreadable(Object value) {
        return value instanceof PyValues.PyList || value instanceof PyValues.PyTuple;
    }

    /** The metaflow name a dotted name refers to ({@code b} → batch, {@code metaflow.step} → step). */
    private Optional<String> resolve(PyExpr.Dotted name) {
        List<String> parts = name.parts();
        if (parts.size() == 1 && metaflowNames.containsKey(parts.get(0))) {
            return Optional.of(metaflowNames.get(parts.get(0)));
        }
        if (parts.size() == 2 && metaflowModules.contains(parts.get(0))) {
            return Optional.of(parts.get(1));
        }
        return Optional.empty();
    }

    private FlowClasses.ClassDef parseClass(List<Decorator> decorators) {
        int line = next().line(); // class
        String className = expectName();
        skipTypeParameters();
        boolean isFlow = false;
        List<FlowClasses.BaseRef> baseRefs = new ArrayList<>();
        if (peek().isOp("(")) {
            pos++;
            ExprParser expr = new ExprParser(tokens, pos);
            List<PyAst.Arg> written = expr.arguments(")");
            if (written == null) {
                throw new SyntaxProblem(line, "the base classes of " + className + " are not a plain list of names");
            }
            pos = expr.pos;
            List<PyExpr> bases = new ArrayList<>();
            for (PyAst.Arg arg : written) {
                PyAst base = arg.value();
                while (base instanceof PyAst.Subscript generic) {
                    base = generic.value(); // Base[int]: the generic class itself
                }
                if (arg.name() == null && arg.star() == 0) {
                    bases.add(moduleFolder.fold(base, line));
                }
            }
            for (PyExpr base : bases) {
                boolean flowSpec = base instanceof PyExpr.Dotted d && resolve(d).filter("FlowSpec"::equals).isPresent();
                FlowClasses.ClassDef local = base instanceof PyExpr.Dotted d && d.parts().size() == 1 ? classes.get(d.parts().get(0)) : null;
                isFlow |= flowSpec || local != null && local.isFlow();
                baseRefs.add(new FlowClasses.BaseRef(base.source(), local, flowSpec));
            }
        }
        expectOp(":");
        List<ParameterDef> parameters = new ArrayList<>();
        List<ParsedStep> steps = new ArrayList<>();
        Set<String> otherNames = new HashSet<>();
        classScope = new HashMap<>();
        try {
            return classBody(className, line, decorators, baseRefs, isFlow, parameters, steps, otherNames);
        } finally {
            classScope = null;
        }
    }

    private FlowClasses.ClassDef classBody(String className, int line, List<Decorator> decorators, List<FlowClasses.BaseRef> baseRefs,
                                           boolean isFlow, List<ParameterDef> parameters, List<ParsedStep> steps, Set<String> otherNames) {
        if (!isFlow) {
            // a plain class (a mixin may hold steps and parameters): read like a flow, but its problems only count
            // when the flow derives from it
            int bodyStart = pos;
            try {
                if (peek().kind() == Token.Kind.NEWLINE) {
                    parseClassBody(parameters, steps, otherNames);
                } else {
                    skipBlock();
                }
                return new FlowClasses.ClassDef(className, line, decorators, baseRefs, false, parameters, steps, otherNames, null);
            } catch (SyntaxProblem problem) {
                pos = bodyStart;
                skipBlock();
                return new FlowClasses.ClassDef(className, line, decorators, baseRefs, false, List.of(), List.of(), Set.of(), problem);
            }
        }
        if (peek().kind() != Token.Kind.NEWLINE) {
            throw new SyntaxProblem(line, "write the body of class " + className + " on its own indented lines");
        }
        parseClassBody(parameters, steps, otherNames);
        return new FlowClasses.ClassDef(className, line, decorators, baseRefs, true, parameters, steps, otherNames, null);
    }

    /** The indented body of a class, at its NEWLINE: its parameters, steps and the other names it binds. */
    private void parseClassBody(List<ParameterDef> parameters, List<ParsedStep> steps, Set<String> otherNames) {
        pos++;
        expect(Token.Kind.INDENT);
        while (peek().kind() != Token.Kind.DEDENT && peek().kind() != Token.Kind.END) {
            Token t = peek();
            if (t.kind() == Token.Kind.NEWLINE) {
                pos++;
            } else if (t.isOp("@") || t.isName("def") || t.isName("async")) {
                List<Decorator> methodDecorators = decorators();
                if (peek().isName("async")) {
                    pos++;
                }
                if (!peek().isName("def")) {
                    skipStatement();
                    continue;
                }
                String methodName = tokens.get(pos + 1).text();
                classScope.put(methodName, unknown(methodName, "a method", tokens.get(pos).line()));
                ParsedStep step = parseMethod(methodDecorators);
                if (step != null) {
                    steps.add(step);
                } else {
                    otherNames.add(methodName);
                }
            } else if (t.kind() == Token.Kind.NAME && tokens.get(pos + 1).isOp("=")) {
                pos++;
                parseAttribute(t).ifPresentOrElse(parameters::add, () -> otherNames.add(t.text()));
            } else if (t.kind() == Token.Kind.NAME && tokens.get(pos + 1).isOp(":")) {
                pos += 2; // annotated attribute: name: Type [= value]
                ExprParser annotation = new ExprParser(tokens, pos);
                annotation.expression();
                pos = annotation.pos;
                if (peek().isOp("=")) {
                    parseAttribute(t).ifPresentOrElse(parameters::add, () -> otherNames.add(t.text()));
                } else {
                    endStatementOrSkip();
                }
            } else if (t.kind() == Token.Kind.NAME && tokens.get(pos + 1).kind() == Token.Kind.OP
                    && AUGMENTED.contains(tokens.get(pos + 1).text())) {
                augmentedAssignment(classScope, classFolder);
            } else {
                int start = pos;
                boolean compound = t.kind() == Token.Kind.NAME && COMPOUND.contains(t.text());
                skipStatement();
                if (!compound) {
                    invalidateAssigned(start, pos, classScope);
                }
            }
        }
        if (peek().kind() == Token.Kind.DEDENT) {
            pos++;
        }
    }

    /**
     * {@code name = value} with the position at '=': a Parameter/Config/IncludeFile, else a class attribute (a
     * constant when Flowgate can compute it, seen by the decorators of the methods below it).
     */
    private Optional<ParameterDef> parseAttribute(Token nameToken) {
        int statementStart = pos - 1;
        pos++; // =
        ExprParser expr = new ExprParser(tokens, pos);
        PyAst written = expr.expression();
        pos = expr.pos;
        if (!peek().isOp("=")) {
            endStatementOrSkip();
        } else {
            skipStatement(); // chained assignment: not a parameter
            invalidateAssigned(statementStart, pos, classScope);
            return Optional.empty();
        }
        List<String> function = written instanceof PyAst.Call c ? ConstantFolder.dottedParts(c.function()) : null;
        Optional<String> kind = function == null ? Optional.empty()
                : resolve(new PyExpr.Dotted(function)).filter(PARAMETER_KINDS::contains);
        if (kind.isEmpty()) {
            bind(classScope, nameToken.text(), classFolder.valueAt(written, nameToken.line()), nameToken.line());
            return Optional.empty();
        }
        classScope.put(nameToken.text(), unknown(nameToken.text(), "a " + kind.get() + " (its value is known when the flow runs)",
                nameToken.line()));
        CallArguments arguments = callArguments(((PyAst.Call) written).args(), classFolder, nameToken.line());
        PyExpr.Call call = new PyExpr.Call(new PyExpr.Dotted(function), arguments.args(), arguments.kwargs(), written.source());
        String name = !call.args().isEmpty() && call.args().get(0) instanceof PyExpr.Str s ? s.value()
                : call.kwargs().get("name") instanceof PyExpr.Str s2 ? s2.value() : null;
        if (name == null) {
            throw new SyntaxProblem(nameToken.line(), kind.get() + " '" + nameToken.text()
                    + "' needs its name as a string literal", "write e.g. " + kind.get() + "(\"" + nameToken.text() + "\", ...)");
        }
        Optional<PyExpr> defaultValue = Optional.ofNullable(call.kwargs().get("default"))
                .or(() -> Optional.ofNullable(call.kwargs().get("default_value")));
        boolean required = call.kwargs().get("required") instanceof PyExpr.Bool b && b.value();
        return Optional.of(new ParameterDef(nameToken.text(), kind.get(), name, defaultValue, required, nameToken.line(),
                call.kwargs()));
    }


    private ParsedStep parseMethod(List<Decorator> decorators) {
        int line = next().line(); // def
        String name = expectName();
        skipTypeParameters();
        expectOp("(");
        int positional = 0;
        int depth = 0;
        boolean counting = true;
        boolean expectParam = true;
        while (!(depth == 0 && peek().isOp(")"))) {
            Token t = next();
            if (t.kind() == Token.Kind.END) {
                throw new SyntaxProblem(line, "the parameter list of " + name + " is not closed");
            }
            if (depth == 0 && (t.isOp("*") || t.isOp("**") || t.isOp("/"))) {
                counting = t.isOp("/");
                expectParam = false;
            } else if (depth == 0 && t.isOp(",")) {
                expectParam = true;
            } else if (t.kind() == Token.Kind.NAME && depth == 0 && expectParam) {
                if (counting) {
                    positional++;
                }
                expectParam = false;
            } else if (t.kind() == Token.Kind.OP && "([{".contains(t.text())) {
                depth++;
            } else if (t.kind() == Token.Kind.OP && ")]}".contains(t.text())) {
                depth--;
            }
        }
        pos++; // )
        if (peek().isOp("->")) {
            pos++;
            ExprParser expr = new ExprParser(tokens, pos);
            expr.expression();
            pos = expr.pos;
        }
        expectOp(":");
        boolean isStep = decorators.stream().anyMatch(d -> d.fromMetaflow() && d.name().equals("step"));
        List<int[]> statements = bodyStatements();
        if (!isStep) {
            return null;
        }
        // @step itself is dropped, unless it marks the entry or terminal step: @step(start=True) / @step(end=True)
        List<Decorator> others = decorators.stream().filter(d -> !(d.fromMetaflow() && d.name().equals("step"))
                || !d.kwargs().isEmpty()).toList();
        if (statements.isEmpty()) {
            return new ParsedStep(name, line, positional, others, Optional.empty(), Optional.of("its body is empty"), line);
        }
        int[] last = statements.get(statements.size() - 1);
        Token first = tokens.get(last[0]);
        if (first.kind() == Token.Kind.NAME && COMPOUND.contains(first.text()) || first.isOp("@")) {
            return new ParsedStep(name, line, positional, others, Optional.empty(),
                    Optional.of("its last statement is a '" + first.text() + "' block, not self.next(...)"), first.line());
        }
        methodLocals = localNames(statements);
        Optional<NextCall> tail;
        try {
            tail = nextCall(last[0], last[1]);
        } finally {
            methodLocals = Set.of();
        }
        return new ParsedStep(name, line, positional, others, tail,
                tail.isPresent() ? Optional.empty() : Optional.of("its last statement is not self.next(...)"), first.line());
    }

    /** {@code self.next(...)} spanning exactly tokens [from, to), else empty. */
    private Optional<NextCall> nextCall(int from, int to) {
        if (to - from < 5 || !tokens.get(from).isName("self") || !tokens.get(from + 1).isOp(".")
                || !tokens.get(from + 2).isName("next") || !tokens.get(from + 3).isOp("(")) {
            return Optional.empty();
        }
        ExprParser expr = new ExprParser(tokens, from + 4);
        List<PyAst.Arg> written = expr.arguments(")");
        if (written == null || expr.pos != to) {
            return Optional.empty(); // e.g. self.next(...).something or trailing operators
        }
        CallArguments arguments = callArguments(written, methodFolder, tokens.get(from).line());
        return Optional.of(new NextCall(arguments.args(), arguments.kwargs(), tokens.get(from).line()));
    }

    /**
     * The top-level statements of a block after ':' as token ranges [start, end), NEWLINEs excluded; the
     * position ends after the block. Simple statements separated by ';' are separate statements.
     */
    private List<int[]> bodyStatements() {
        List<int[]> statements = new ArrayList<>();
        if (peek().kind() != Token.Kind.NEWLINE) {
            collectSimpleStatements(statements);
            return statements;
        }
        pos++;
        if (peek().kind() != Token.Kind.INDENT) {
            throw new SyntaxProblem(peek().line(), "expected an indented block");
        }
        pos++;
        while (peek().kind() != Token.Kind.DEDENT && peek().kind() != Token.Kind.END) {
            Token t = peek();
            if (t.kind() == Token.Kind.NEWLINE) {
                pos++;
            } else if ((t.kind() == Token.Kind.NAME && COMPOUND.contains(t.text())) || t.isOp("@")) {
                int start = pos;
                skipStatement();
                statements.add(new int[]{start, pos});
            } else {
                collectSimpleStatements(statements);
            }
        }
        if (peek().kind() == Token.Kind.DEDENT) {
            pos++;
        }
        return statements;
    }

    private void collectSimpleStatements(List<int[]> statements) {
        int start = pos;
        int depth = 0;
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.END) {
                if (pos > start) {
                    statements.add(new int[]{start, pos});
                }
                if (t.kind() == Token.Kind.NEWLINE) {
                    pos++;
                }
                return;
            }
            if (t.isOp(";") && depth == 0) {
                if (pos > start) {
                    statements.add(new int[]{start, pos});
                }
                pos++;
                start = pos;
                continue;
            }
            if (t.kind() == Token.Kind.OP && "([{".contains(t.text())) {
                depth++;
            } else if (t.kind() == Token.Kind.OP && ")]}".contains(t.text())) {
                depth--;
            }
            pos++;
        }
    }

    /** Skips one statement, including the indented block of a compound statement. */
    private void skipStatement() {
        while (peek().kind() != Token.Kind.NEWLINE && peek().kind() != Token.Kind.END) {
            if (peek().kind() == Token.Kind.INDENT || peek().kind() == Token.Kind.DEDENT) {
                break;
            }
            pos++;
        }
        if (peek().kind() == Token.Kind.NEWLINE) {
            pos++;
        }
        if (peek().kind() == Token.Kind.INDENT) {
            skipIndentedBlock();
            // else/elif/except/finally clauses continue the statement
            while (peek().kind() == Token.Kind.NAME && Set.of("else", "elif", "except", "finally", "case").contains(peek().text())) {
                skipStatement();
            }
        }
    }

    private void skipBlock() {
        if (peek().kind() == Token.Kind.NEWLINE) {
            pos++;
            if (peek().kind() == Token.Kind.INDENT) {
                skipIndentedBlock();
            }
        } else {
            skipStatement();
        }
    }

    private void skipIndentedBlock() {
        int depth = 0;
        do {
            Token t = next();
            if (t.kind() == Token.Kind.INDENT) {
                depth++;
            } else if (t.kind() == Token.Kind.DEDENT) {
                depth--;
            } else if (t.kind() == Token.Kind.END) {
                pos--;
                return;
            }
        } while (depth > 0);
    }

    private void endStatement() {
        if (peek().kind() == Token.Kind.NEWLINE) {
            pos++;
        } else if (peek().isOp(";")) {
            pos++;
        } else if (peek().kind() != Token.Kind.END && peek().kind() != Token.Kind.DEDENT) {
            throw new SyntaxProblem(peek().line(), "unexpected '" + peek().text() + "'");
        }
    }

    private void endStatementOrSkip() {
        if (peek().kind() == Token.Kind.NEWLINE || peek().isOp(";")) {
            pos++;
        } else {
            skipStatement();
        }
    }

    // ---- constants: what module- and class-level names are bound to --------------------------------------------

    private ConstantFolder.Binding classLookup(String name) {
        ConstantFolder.Binding own = classScope == null ? null : classScope.get(name);
        return own != null ? own : moduleScope.get(name);
    }

    private static ConstantFolder.Binding unknown(String name, String what, int line) {
        return new ConstantFolder.Binding.Unknown("'" + name + "' is " + what + " (line " + line + "), not a constant");
    }

    /**
     * {@code NAME = value} or {@code NAME: annotation [= value]} at the position of NAME: binds NAME to the computed
     * value, or records why it is not a constant. Chained and other assignments make their names unknown.
     */
    private void assignment(Map<String, ConstantFolder.Binding> scope, ConstantFolder folder) {
        int start = pos;
        Token name = next();
        if (peek().isOp(":")) {
            pos++;
            ExprParser annotation = new ExprParser(tokens, pos);
            annotation.expression();
            pos = annotation.pos;
            if (!peek().isOp("=")) {
                endStatementOrSkip(); // a bare annotation binds nothing
                return;
            }
        }
        pos++; // =
        ExprParser expr = new ExprParser(tokens, pos);
        PyAst value = expr.expression();
        pos = expr.pos;
        if (peek().kind() == Token.Kind.NEWLINE || peek().isOp(";") || peek().kind() == Token.Kind.END) {
            bind(scope, name.text(), folder.valueAt(value, name.line()), name.line());
            endStatementOrSkip();
        } else {
            skipStatement();
            invalidateAssigned(start, pos, scope);
        }
    }

    private static void bind(Map<String, ConstantFolder.Binding> scope, String name, Object value, int line) {
        scope.put(name, value instanceof ConstantFolder.NotConstant n
                ? new ConstantFolder.Binding.Unknown("'" + name + "' (line " + line + ") is not a constant: " + n.reason())
                : new ConstantFolder.Binding.Constant(value));
    }

    /** {@code NAME op= value}: computed from NAME's constant (an immutable one), else NAME becomes unknown. */
    private void augmentedAssignment(Map<String, ConstantFolder.Binding> scope, ConstantFolder folder) {
        int start = pos;
        Token name = next();
        String op = next().text();
        ExprParser expr = new ExprParser(tokens, pos);
        PyAst value = expr.expression();
        pos = expr.pos;
        boolean simple = peek().kind() == Token.Kind.NEWLINE || peek().isOp(";") || peek().kind() == Token.Kind.END;
        ConstantFolder.Binding old = scope == classScope ? classLookup(name.text()) : scope.get(name.text());
        if (simple && old instanceof ConstantFolder.Binding.Constant c && !isMutable(c.value())) {
            Object right = folder.valueAt(value, name.line());
            Object result = right instanceof ConstantFolder.NotConstant ? right
                    : folder.binaryAt(op.substring(0, op.length() - 1), c.value(), right, name.text() + " " + op + " " + value.source(), name.line());
            bind(scope, name.text(), result, name.line());
            endStatementOrSkip();
            return;
        }
        if (simple) {
            endStatementOrSkip();
        } else {
            skipStatement();
        }
        invalidateAssigned(start, pos, scope);
        scope.put(name.text(), unknown(name.text(), "changed by '" + op + "'", name.line()));
    }

    private static boolean isMutable(Object value) {
        return value instanceof PyValues.PyList || value instanceof PyValues.PyDict
                || value instanceof PyValues.PyTuple t && t.items().stream().anyMatch(FlowParser::isMutable);
    }

    /**
     * A module-level statement Flowgate does not read: skipped. A simple statement ({@code A, B = ...}, {@code del X},
     * {@code SIZES.append(8)}) makes every name it binds or may change no longer a constant; a function's name is
     * bound to the function. Code inside blocks ({@code if}, {@code for}, {@code try}, ...) is not followed, as before:
     * a constant changed there at import (e.g. from the environment) keeps its unconditional value here, and the
     * deployment's graph check against the verified run's record (graphinfo) catches the difference.
     */
    private void skipModuleStatement() {
        int start = pos;
        boolean compound = peek().kind() == Token.Kind.NAME && COMPOUND.contains(peek().text()) || peek().isOp("@");
        int function = peek().isName("async") ? pos + 1 : pos;
        recordFunction();
        if (tokens.get(function).isName("def") && tokens.get(function + 1).kind() == Token.Kind.NAME) {
            String name = tokens.get(function + 1).text();
            moduleScope.put(name, unknown(name, "a function", tokens.get(function).line()));
        }
        skipStatement();
        if (!compound) {
            invalidateAssigned(start, pos, moduleScope);
        }
    }

    /**
     * Marks as unknown the names tokens [from, to) bind ({@code X = }, {@code X += }, {@code X[...] = }, {@code A, B = },
     * {@code for X in}, {@code as X}, {@code import X}, {@code global X}, {@code del X}, {@code def X}, {@code X := })
     * and every list or dict constant they mention (a call may change it).
     */
    private void invalidateAssigned(int from, int to, Map<String, ConstantFolder.Binding> scope) {
        int statementStart = from;
        int depth = 0;
        String bindingKeyword = null;
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            boolean attribute = i > from && tokens.get(i - 1).isOp(".");
            if (t.kind() == Token.Kind.NEWLINE || t.kind() == Token.Kind.INDENT || t.kind() == Token.Kind.DEDENT || t.isOp(";")) {
                statementStart = i + 1;
                bindingKeyword = null;
                continue;
            }
            if (t.kind() == Token.Kind.OP) {
                if ("([{".contains(t.text())) {
                    depth++;
                } else if (")]}".contains(t.text())) {
                    depth--;
                } else if (t.isOp(":") || t.isOp("=")) {
                    bindingKeyword = null;
                }
                if (depth == 0 && (t.isOp("=") || AUGMENTED.contains(t.text()))) {
                    for (int k = statementStart; k < i; k++) {
                        Token target = tokens.get(k);
                        if (target.kind() == Token.Kind.NAME && !(k > statementStart && tokens.get(k - 1).isOp("."))) {
                            invalidate(scope, target.text(), "assigned at line " + target.line());
                        }
                    }
                    statementStart = i + 1;
                }
                if (t.isOp(":=") && i > from && tokens.get(i - 1).kind() == Token.Kind.NAME) {
                    invalidate(scope, tokens.get(i - 1).text(), "assigned at line " + t.line());
                }
                continue;
            }
            if (t.kind() != Token.Kind.NAME || attribute) {
                continue;
            }
            if (BINDING_KEYWORDS.contains(t.text())) {
                bindingKeyword = t.text();
                continue;
            }
            if (t.isName("in") || t.isName("from")) {
                bindingKeyword = null;
                continue;
            }
            if (bindingKeyword != null) {
                invalidate(scope, t.text(), "bound by '" + bindingKeyword + "' at line " + t.line());
                if (bindingKeyword.equals("def") || bindingKeyword.equals("class") || bindingKeyword.equals("as")) {
                    bindingKeyword = null;
                }
            } else if (scope.get(t.text()) instanceof ConstantFolder.Binding.Constant c && isMutable(c.value())) {
                invalidate(scope, t.text(), "a list or dict that the code at line " + t.line() + " may change");
            }
        }
    }

    private static void invalidate(Map<String, ConstantFolder.Binding> scope, String name, String why) {
        scope.put(name, new ConstantFolder.Binding.Unknown("'" + name + "' is " + why + ", so Flowgate does not treat it as a constant"));
    }

    /** The names a method body assigns (its locals), which hide module constants in its {@code self.next(...)}. */
    private Set<String> localNames(List<int[]> statements) {
        if (statements.isEmpty()) {
            return Set.of();
        }
        Map<String, ConstantFolder.Binding> locals = new HashMap<>();
        invalidateAssigned(statements.get(0)[0], statements.get(statements.size() - 1)[1], locals);
        return locals.keySet();
    }

    /** {@code [T, *Ts, **P]} after a class or function name (Python 3.12 generics): read as written, bound to nothing here. */
    private void skipTypeParameters() {
        if (!peek().isOp("[")) {
            return;
        }
        int depth = 0;
        do {
            Token t = next();
            if (t.kind() == Token.Kind.END) {
                throw new SyntaxProblem(t.line(), "the type parameters [...] are not closed");
            }
            if (t.kind() == Token.Kind.OP && "([{".contains(t.text())) {
                depth++;
            } else if (t.kind() == Token.Kind.OP && ")]}".contains(t.text())) {
                depth--;
            }
        } while (depth > 0);
    }

    private List<String> dottedName() {
        List<String> parts = new ArrayList<>(List.of(expectName()));
        while (peek().isOp(".")) {
            pos++;
            parts.add(expectName());
        }
        return parts;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private String expectName() {
        Token t = next();
        if (t.kind() != Token.Kind.NAME) {
            throw new SyntaxProblem(t.line(), "expected a name but found '" + t.text() + "'");
        }
        return t.text();
    }

    private void expect(String keyword) {
        Token t = next();
        if (!t.isName(keyword)) {
            throw new SyntaxProblem(t.line(), "expected '" + keyword + "' but found '" + t.text() + "'");
        }
    }

    private void expect(Token.Kind kind) {
        Token t = next();
        if (t.kind() != kind) {
            throw new SyntaxProblem(t.line(), "expected an indented block");
        }
    }

    private void expectOp(String op) {
        Token t = next();
        if (!t.isOp(op)) {
            throw new SyntaxProblem(t.line(), "expected '" + op + "' but found '" + (t.text().isEmpty() ? t.kind() : t.text()) + "'");
        }
    }
}

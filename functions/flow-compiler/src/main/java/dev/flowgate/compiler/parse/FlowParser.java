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

    private final String fileName;
    private final List<Token> tokens;
    private int pos;
    /** local name → metaflow name, for names imported from metaflow ({@code b} → {@code batch}). */
    private final Map<String, String> metaflowNames = new HashMap<>();
    /** local names bound to the metaflow module itself ({@code metaflow}, {@code mf}). */
    private final Set<String> metaflowModules = new HashSet<>();
    /** module-level {@code NAME = <literal>} assignments, substituted where a flow refers to them. */
    private final Map<String, PyExpr> constants = new HashMap<>();
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
            } else if (t.kind() == Token.Kind.NAME && tokens.get(pos + 1).isOp("=")) {
                bindings.add(new ModuleBinding(t.text(), t.line(), ModuleBinding.Kind.ASSIGNMENT, null, null));
                pos += 2;
                ExprParser expr = new ExprParser(tokens, pos);
                PyExpr value = expr.expression();
                pos = expr.pos;
                if (PyExpr.literal(value) != PyExpr.NOT_LITERAL) {
                    constants.put(t.text(), value);
                } else {
                    constants.remove(t.text());
                }
                endStatementOrSkip();
            } else if (t.isOp("@") || t.isName("class")) {
                List<Decorator> decorators = decorators();
                if (peek().isName("class")) {
                    FlowClasses.ClassDef parsed = parseClass(decorators);
                    classes.remove(parsed.name());
                    classes.put(parsed.name(), parsed);
                } else {
                    recordFunction();
                    skipStatement();
                }
            } else if (isMainGuard()) {
                parseMainBlock();
            } else {
                recordFunction();
                skipStatement();
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

    private List<Decorator> decorators() {
        List<Decorator> result = new ArrayList<>();
        while (peek().isOp("@")) {
            int line = next().line();
            ExprParser expr = new ExprParser(tokens, pos);
            PyExpr value = expr.expression();
            pos = expr.pos;
            endStatement();
            if (value instanceof PyExpr.Dotted d) {
                result.add(decorator(d, List.of(), Map.of(), line));
            } else if (value instanceof PyExpr.Call c) {
                result.add(decorator(c.function(), c.args(), c.kwargs(), line));
            } else {
                result.add(new Decorator(value.source(), List.of(), Map.of(), line, false));
            }
            while (peek().kind() == Token.Kind.NEWLINE) {
                pos++;
            }
        }
        return result;
    }

    private Decorator decorator(PyExpr.Dotted name, List<PyExpr> args, Map<String, PyExpr> kwargs, int line) {
        Optional<String> resolved = resolve(name);
        return new Decorator(resolved.orElse(name.source()), substitute(args), substitute(kwargs), line, resolved.isPresent());
    }

    private List<PyExpr> substitute(List<PyExpr> values) {
        return values.stream().map(this::substitute).toList();
    }

    private Map<String, PyExpr> substitute(Map<String, PyExpr> values) {
        Map<String, PyExpr> result = new LinkedHashMap<>();
        values.forEach((k, v) -> result.put(k, substitute(v)));
        return result;
    }

    /** A reference to a module-level literal constant becomes that literal; anything else is kept. */
    private PyExpr substitute(PyExpr value) {
        if (value instanceof PyExpr.Dotted d && d.parts().size() == 1 && constants.containsKey(d.parts().get(0))) {
            return constants.get(d.parts().get(0));
        }
        if (value instanceof PyExpr.Seq seq) {
            return new PyExpr.Seq(seq.items().stream().map(this::substitute).toList(), seq.source());
        }
        if (value instanceof PyExpr.Dict dict) {
            Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
            dict.entries().forEach((k, v) -> entries.put(substitute(k), substitute(v)));
            return new PyExpr.Dict(entries, dict.source());
        }
        return value;
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
        boolean isFlow = false;
        List<FlowClasses.BaseRef> baseRefs = new ArrayList<>();
        if (peek().isOp("(")) {
            pos++;
            List<PyExpr> bases = new ArrayList<>();
            Map<String, PyExpr> kw = new LinkedHashMap<>();
            ExprParser expr = new ExprParser(tokens, pos);
            expr.arguments(")", bases, kw);
            pos = expr.pos;
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
            } else {
                skipStatement();
            }
        }
        if (peek().kind() == Token.Kind.DEDENT) {
            pos++;
        }
    }

    /** {@code name = value} with the position at '='. */
    private Optional<ParameterDef> parseAttribute(Token nameToken) {
        pos++; // =
        ExprParser expr = new ExprParser(tokens, pos);
        PyExpr value = expr.expression();
        pos = expr.pos;
        if (!peek().isOp("=")) {
            endStatementOrSkip();
        } else {
            skipStatement(); // chained assignment: not a parameter
            return Optional.empty();
        }
        if (value instanceof PyExpr.Call call) {
            Optional<String> kind = resolve(call.function());
            if (kind.isPresent() && Set.of("Parameter", "Config", "IncludeFile").contains(kind.get())) {
                String name = !call.args().isEmpty() && call.args().get(0) instanceof PyExpr.Str s ? s.value()
                        : call.kwargs().get("name") instanceof PyExpr.Str s2 ? s2.value() : null;
                if (name == null) {
                    throw new SyntaxProblem(nameToken.line(), kind.get() + " '" + nameToken.text()
                            + "' needs its name as a string literal", "write e.g. " + kind.get() + "(\"" + nameToken.text() + "\", ...)");
                }
                Optional<PyExpr> defaultValue = Optional.ofNullable(call.kwargs().get("default"))
                        .or(() -> Optional.ofNullable(call.kwargs().get("default_value"))).map(this::substitute);
                boolean required = call.kwargs().get("required") instanceof PyExpr.Bool b && b.value();
                return Optional.of(new ParameterDef(nameToken.text(), kind.get(), name, defaultValue, required, nameToken.line(),
                        substitute(call.kwargs())));
            }
        }
        return Optional.empty();
    }

    private ParsedStep parseMethod(List<Decorator> decorators) {
        int line = next().line(); // def
        String name = expectName();
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
        Optional<NextCall> tail = nextCall(last[0], last[1]);
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
        List<PyExpr> args = new ArrayList<>();
        Map<String, PyExpr> kwargs = new LinkedHashMap<>();
        expr.arguments(")", args, kwargs);
        if (expr.pos != to) {
            return Optional.empty(); // e.g. self.next(...).something or trailing operators
        }
        return Optional.of(new NextCall(args, substitute(kwargs), tokens.get(from).line()));
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

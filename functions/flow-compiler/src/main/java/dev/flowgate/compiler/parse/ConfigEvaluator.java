package dev.flowgate.compiler.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.ParsedFlow.ModuleBinding;
import dev.flowgate.compiler.parse.ParsedFlow.ParameterDef;
import dev.flowgate.compiler.parse.ParsedFlow.ParsedStep;
import dev.flowgate.model.json.FlowgateJson;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Substitutes the values of a flow's {@code Config}s into its flow and step decorator arguments, as Metaflow
 * resolves them at deploy time before it builds the graph, without running the file. A Config's value comes from
 * an override ({@code --config}/{@code --config-value}), its {@code default_value=} literal (a dict, or a string of
 * JSON) or its {@code default=} JSON file read through {@link ConfigInputs.ConfigFiles}. Understood in decorator
 * arguments (also inside lists and dicts): {@code cfg.a.b} and {@code cfg["a"]["b"]} on a class-level Config
 * attribute, and {@code config_expr("name.a.b")} (also {@code config_expr("name").a["b"]}) on a Config's name, the
 * forms Metaflow's {@code DelayEvaluator} evaluates; list items by integer index. Any other expression that reads
 * a Config is refused with the line and a fix. Values are read only when a decorator needs them.
 */
public final class ConfigEvaluator {
    /** Decorators whose arguments shape the state machine: a Config value they need must be determined. */
    private static final Set<String> COMPILED_DECORATORS = Set.of("step", "project", "schedule", "trigger", "trigger_on_finish",
            "exit_hook", "resources", "batch", "timeout", "retry", "catch", "environment", "parallel");
    private final ParsedFlow flow;
    private final ConfigInputs inputs;
    private final Map<String, ParameterDef> byAttribute = new HashMap<>();
    private final Map<String, ParameterDef> byName = new LinkedHashMap<>();
    private final Set<String> configExprNames;
    private final Set<String> metaflowModules;
    private final Map<String, JsonNode> values = new HashMap<>();
    /**
     * Whether the decorator being evaluated sits in the class body, where Python resolves {@code cfg} to the Config
     * attribute; above the class (flow decorators) it is a NameError in Metaflow, so only config_expr reads a Config.
     */
    private boolean attributesInScope;

    private ConfigEvaluator(ParsedFlow flow, ConfigInputs inputs) {
        this.flow = flow;
        this.inputs = inputs;
        for (ParameterDef p : flow.parameters()) {
            if (p.kind().equals("Config")) {
                byAttribute.put(p.attribute(), p);
                byName.put(p.name(), p);
            }
        }
        configExprNames = flow.moduleBindings().stream()
                .filter(b -> b.kind() == ModuleBinding.Kind.IMPORT && "config_expr".equals(b.importedName())
                        && b.module() != null && b.module().startsWith("metaflow"))
                .map(ModuleBinding::name).collect(Collectors.toSet());
        metaflowModules = flow.moduleBindings().stream()
                .filter(b -> b.kind() == ModuleBinding.Kind.IMPORT && b.importedName() == null && "metaflow".equals(b.module()))
                .map(ModuleBinding::name).collect(Collectors.toSet());
    }

    /** The flow with every Config reference in its decorators replaced by the literal value. */
    public static ParsedFlow apply(ParsedFlow flow, ConfigInputs inputs) {
        ConfigEvaluator evaluator = new ConfigEvaluator(flow, inputs);
        List<Decorator> flowDecorators = evaluator.decorators(flow.decorators(), null);
        List<ParsedStep> steps = flow.steps().stream().map(s -> new ParsedStep(s.name(), s.line(), s.positionalParams(),
                evaluator.decorators(s.decorators(), s.name()), s.tail(), s.tailProblem(), s.tailLine())).toList();
        return new ParsedFlow(flow.fileName(), flow.className(), flow.line(), flowDecorators, flow.parameters(), steps,
                flow.moduleBindings());
    }

    /** Every Config's value that can be determined (name → JSON), for the code package's {@code user_configs}. */
    public static Map<String, JsonNode> values(ParsedFlow flow, ConfigInputs inputs) {
        ConfigEvaluator evaluator = new ConfigEvaluator(flow, inputs);
        Map<String, JsonNode> result = new LinkedHashMap<>();
        for (ParameterDef config : evaluator.byName.values()) {
            result.put(config.name(), evaluator.value(config, config.line(), null));
        }
        return result;
    }

    private List<Decorator> decorators(List<Decorator> decorators, String step) {
        List<Decorator> result = new ArrayList<>();
        for (Decorator d : decorators) {
            try {
                result.add(evaluated(d, step));
            } catch (ConfigProblem e) {
                if (d.fromMetaflow() && COMPILED_DECORATORS.contains(d.name())) {
                    throw e;
                }
                result.add(d); // a decorator the compiler does not read (@card, @pypi, ...) stays as written
            }
        }
        return result;
    }

    private Decorator evaluated(Decorator d, String step) {
        attributesInScope = step != null;
        Context at = new Context(d, step);
        List<PyExpr> args = d.args().stream().map(a -> evaluate(a, at)).toList();
        Map<String, PyExpr> kwargs = new LinkedHashMap<>();
        d.kwargs().forEach((k, v) -> kwargs.put(k, evaluate(v, at)));
        return new Decorator(d.name(), args, kwargs, d.line(), d.fromMetaflow());
    }

    private record Context(Decorator decorator, String step) {
    }

    private PyExpr evaluate(PyExpr value, Context at) {
        if (byAttribute.isEmpty() && configExprNames.isEmpty() && metaflowModules.isEmpty()) {
            return value;
        }
        if (value instanceof PyExpr.Dotted d && isConfigAttribute(d.parts().get(0))) {
            JsonNode node = value(byAttribute.get(d.parts().get(0)), at.decorator().line(), at.step());
            for (String key : d.parts().subList(1, d.parts().size())) {
                node = member(node, key, value.source(), at);
            }
            return toPy(node);
        }
        if (value instanceof PyExpr.Call c && isConfigExpr(c.function())) {
            return toPy(configExpr(c.args(), c.kwargs(), value.source(), at));
        }
        if (value instanceof PyExpr.Call c && (c.args().stream().anyMatch(this::readsConfig)
                || c.kwargs().values().stream().anyMatch(this::readsConfig))) {
            throw unsupported(value.source(), at); // e.g. int(cfg.cpu): Flowgate does not call functions
        }
        if (value instanceof PyExpr.Seq seq) {
            return new PyExpr.Seq(seq.items().stream().map(i -> evaluate(i, at)).toList(), seq.source());
        }
        if (value instanceof PyExpr.Dict dict) {
            Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
            dict.entries().forEach((k, v) -> entries.put(k, evaluate(v, at)));
            return new PyExpr.Dict(entries, dict.source());
        }
        if (value instanceof PyExpr.Opaque o) {
            return opaque(o, at);
        }
        return value;
    }

    private boolean isConfigAttribute(String name) {
        return attributesInScope && byAttribute.containsKey(name);
    }

    /** Whether an expression reads a Config (a Config attribute or config_expr, anywhere inside it). */
    private boolean readsConfig(PyExpr value) {
        if (value instanceof PyExpr.Dotted d) {
            return isConfigAttribute(d.parts().get(0));
        }
        if (value instanceof PyExpr.Call c) {
            return isConfigExpr(c.function()) || c.args().stream().anyMatch(this::readsConfig)
                    || c.kwargs().values().stream().anyMatch(this::readsConfig);
        }
        if (value instanceof PyExpr.Seq seq) {
            return seq.items().stream().anyMatch(this::readsConfig);
        }
        if (value instanceof PyExpr.Dict dict) {
            return dict.entries().values().stream().anyMatch(this::readsConfig);
        }
        if (value instanceof PyExpr.Opaque o) {
            try {
                return mentionsConfig(meaningful(Tokenizer.tokenize(o.source())));
            } catch (SyntaxProblem e) {
                return false;
            }
        }
        return false;
    }

    private boolean isConfigExpr(PyExpr.Dotted function) {
        List<String> parts = function.parts();
        return parts.size() == 1 && configExprNames.contains(parts.get(0))
                || parts.size() == 2 && metaflowModules.contains(parts.get(0)) && parts.get(1).equals("config_expr");
    }

    /** {@code cfg["a"]["b"]}, {@code cfg.a["b"]}, {@code config_expr("cfg").a}; other expressions are left alone. */
    private PyExpr opaque(PyExpr.Opaque value, Context at) {
        List<Token> tokens;
        try {
            tokens = meaningful(Tokenizer.tokenize(value.source()));
        } catch (SyntaxProblem e) {
            return value;
        }
        if (tokens.isEmpty() || tokens.get(0).kind() != Token.Kind.NAME) {
            return value;
        }
        JsonNode node;
        int pos;
        String head = tokens.get(0).text();
        if (isConfigAttribute(head)) {
            node = value(byAttribute.get(head), at.decorator().line(), at.step());
            pos = 1;
        } else {
            int call = configExprCallEnd(tokens);
            if (call < 0) {
                if (mentionsConfig(tokens)) {
                    throw unsupported(value.source(), at);
                }
                return value;
            }
            Token arg = tokens.get(call - 2);
            String text = arg.kind() == Token.Kind.STRING ? ExprParser.decodeString(arg.text()) : null;
            if (text == null) {
                throw unsupported(value.source(), at);
            }
            node = expression(text, value.source(), at);
            pos = call;
        }
        return toPy(accessors(node, tokens, pos, false, value.source(), at));
    }

    /** Index after {@code config_expr("...")} or {@code metaflow.config_expr("...")} at the start, else -1. */
    private int configExprCallEnd(List<Token> tokens) {
        int at;
        if (configExprNames.contains(tokens.get(0).text())) {
            at = 1;
        } else if (metaflowModules.contains(tokens.get(0).text()) && tokens.size() > 2 && tokens.get(1).isOp(".")
                && tokens.get(2).isName("config_expr")) {
            at = 3;
        } else {
            return -1;
        }
        if (tokens.size() >= at + 3 && tokens.get(at).isOp("(") && tokens.get(at + 1).kind() == Token.Kind.STRING
                && tokens.get(at + 2).isOp(")")) {
            return at + 3;
        }
        return -1;
    }

    private boolean mentionsConfig(List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            boolean attributeAccess = i > 0 && tokens.get(i - 1).isOp(".");
            if (t.kind() == Token.Kind.NAME && !attributeAccess
                    && (isConfigAttribute(t.text()) || configExprNames.contains(t.text()))) {
                return true;
            }
            if (t.isName("config_expr") && attributeAccess) {
                return true;
            }
        }
        return false;
    }

    private JsonNode configExpr(List<PyExpr> args, Map<String, PyExpr> kwargs, String source, Context at) {
        if (args.size() != 1 || !kwargs.isEmpty() || !(args.get(0) instanceof PyExpr.Str s)) {
            throw unsupported(source, at);
        }
        return expression(s.value(), source, at);
    }

    /** The text of a {@code config_expr}: a Config's name followed by {@code .key} / {@code ["key"]} / {@code [0]}. */
    private JsonNode expression(String text, String source, Context at) {
        List<Token> tokens;
        try {
            tokens = meaningful(Tokenizer.tokenize(text));
        } catch (SyntaxProblem e) {
            throw unsupported(source, at);
        }
        if (tokens.isEmpty() || tokens.get(0).kind() != Token.Kind.NAME) {
            throw unsupported(source, at);
        }
        ParameterDef config = byName.get(tokens.get(0).text());
        if (config == null && tokens.size() > 1 && tokens.get(1).isOp("(")) {
            throw unsupported(source, at); // e.g. config_expr("str(cfg.x)"): a function call
        }
        if (config == null) {
            throw problem(at, source + " names '" + tokens.get(0).text() + "', which is not the name of a Config of this flow"
                    + (byName.isEmpty() ? "" : " (Configs: " + String.join(", ", byName.keySet()) + ")"),
                    "config_expr reads a Config by the name given to Config(\"name\", ...), e.g. config_expr(\""
                            + byName.keySet().stream().findFirst().orElse("config") + ".key\")");
        }
        return accessors(value(config, at.decorator().line(), at.step()), tokens, 1, true, source, at);
    }

    /**
     * {@code .key}, {@code ["key"]}, and {@code [0]} only when {@code indexes} (inside a config_expr string, which
     * Metaflow evaluates with Python; on a Config attribute Metaflow refuses an integer: "Field '0' ... not supported").
     */
    private JsonNode accessors(JsonNode start, List<Token> tokens, int from, boolean indexes, String source, Context at) {
        JsonNode node = start;
        int pos = from;
        while (pos < tokens.size()) {
            Token t = tokens.get(pos);
            if (t.isOp(".") && pos + 1 < tokens.size() && tokens.get(pos + 1).kind() == Token.Kind.NAME) {
                node = member(node, tokens.get(pos + 1).text(), source, at);
                pos += 2;
            } else if (t.isOp("[") && pos + 2 < tokens.size() && tokens.get(pos + 2).isOp("]")
                    && tokens.get(pos + 1).kind() == Token.Kind.STRING && ExprParser.decodeString(tokens.get(pos + 1).text()) != null) {
                node = member(node, ExprParser.decodeString(tokens.get(pos + 1).text()), source, at);
                pos += 3;
            } else if (t.isOp("[") && pos + 2 < tokens.size() && tokens.get(pos + 2).isOp("]") && !indexes
                    && tokens.get(pos + 1).kind() == Token.Kind.NUMBER) {
                throw problem(at, source + ": Metaflow reads only keys from a Config attribute, not the list index ["
                        + tokens.get(pos + 1).text() + "] (its DelayEvaluator refuses it when the flow loads)",
                        "write it as config_expr(\"" + String.join("", tokens.stream().map(Token::text).toList()) + "\")");
            } else if (t.isOp("[") && pos + 2 < tokens.size() && tokens.get(pos + 2).isOp("]")
                    && tokens.get(pos + 1).kind() == Token.Kind.NUMBER && tokens.get(pos + 1).text().matches("[0-9]+")) {
                node = index(node, Integer.parseInt(tokens.get(pos + 1).text()), source, at);
                pos += 3;
            } else {
                throw unsupported(source, at);
            }
        }
        return node;
    }

    private JsonNode member(JsonNode node, String key, String source, Context at) {
        if (node.isObject()) {
            JsonNode child = node.get(key);
            if (child == null) {
                List<String> keys = new ArrayList<>();
                node.fieldNames().forEachRemaining(keys::add);
                throw problem(at, source + ": the config value has no key '" + key + "' (it has: " + String.join(", ", keys) + ")",
                        "add \"" + key + "\" to the config, or use one of its keys");
            }
            return child;
        }
        throw problem(at, source + ": '" + key + "' is read from " + describe(node) + ", which has no keys",
                "read a key of a JSON object in the config");
    }

    private JsonNode index(JsonNode node, int i, String source, Context at) {
        if (node.isArray() && i < node.size()) {
            return node.get(i);
        }
        throw problem(at, source + ": item " + i + " is read from " + describe(node), "read an item the list has");
    }

    private static String describe(JsonNode node) {
        if (node.isNull()) {
            return "a config without a value (None)";
        }
        if (node.isArray()) {
            return "a list of " + node.size() + " items";
        }
        return "the value " + node;
    }

    /** A Config's value, determined once: override, then default_value=, then default= file; null JSON when none. */
    private JsonNode value(ParameterDef config, int line, String step) {
        JsonNode cached = values.get(config.name());
        if (cached != null) {
            return cached;
        }
        Context at = new Context(new Decorator("", List.of(), Map.of(), line, false), step);
        String where = "Config '" + config.name() + "' (line " + config.line() + ")";
        PyExpr parser = config.arguments().get("parser");
        if (parser != null && !(parser instanceof PyExpr.None)) {
            throw problem(at, where + " is read with parser=" + parser.source() + ", which Flowgate would have to run",
                    "store the config as JSON and drop parser=, or write the decorator's values literally");
        }
        if (config.arguments().get("plain") instanceof PyExpr.Bool b && b.value()) {
            throw problem(at, where + " is plain=True (a string, not JSON), so its keys cannot be read",
                    "drop plain=True and store the config as JSON, or write the decorator's values literally");
        }
        JsonNode node;
        String override = inputs.overrides().get(config.name());
        PyExpr defaultValue = config.arguments().get("default_value");
        PyExpr defaultFile = config.arguments().get("default");
        if (override != null) {
            node = json(override, where + " given with --config/--config-value", at);
        } else if (defaultValue != null && !(defaultValue instanceof PyExpr.None)) {
            Object literal = PyExpr.literal(defaultValue);
            if (literal instanceof String s) {
                node = json(s, where + " default_value", at);
            } else if (literal instanceof Map<?, ?> map) {
                node = FlowgateJson.mapper().valueToTree(map);
            } else {
                throw problem(at, where + " has default_value=" + defaultValue.source() + ", which is not a literal dict or JSON string",
                        "write default_value as a dict literal (e.g. default_value={\"cpu\": 4}) or point default= at a JSON file");
            }
        } else if (defaultFile != null && !(defaultFile instanceof PyExpr.None)) {
            if (!(defaultFile instanceof PyExpr.Str path)) {
                throw problem(at, where + " has default=" + defaultFile.source() + ", which is not a file name written literally",
                        "write the path in quotes, relative to the flow file, e.g. default=\"config.json\"");
            }
            Optional<String> content = inputs.files().read(path.value());
            if (content.isEmpty()) {
                throw problem(at, where + ": the default configuration file '" + path.value()
                                + "' was not found (Flowgate reads it relative to the flow file's directory)",
                        "commit " + path.value() + " next to the flow file, or give the value with --config " + config.name() + " PATH");
            }
            node = json(content.get(), where + " file '" + path.value() + "'", at);
        } else {
            node = NullNode.getInstance();
        }
        values.put(config.name(), node);
        return node;
    }

    private JsonNode json(String text, String what, Context at) {
        try {
            return FlowgateJson.parse(text);
        } catch (RuntimeException e) {
            throw problem(at, what + " is not valid JSON (" + firstLine(e.getMessage()) + ")",
                    "fix the JSON; Flowgate reads configs as JSON unless it could run a parser=");
        }
    }

    private static String firstLine(String message) {
        String text = message == null ? "unreadable" : message.replaceFirst("^request body is not valid JSON: ", "");
        return text.lines().findFirst().orElse(text);
    }

    private static List<Token> meaningful(List<Token> tokens) {
        return tokens.stream().filter(t -> t.kind() != Token.Kind.NEWLINE && t.kind() != Token.Kind.END
                && t.kind() != Token.Kind.INDENT && t.kind() != Token.Kind.DEDENT).toList();
    }

    private static PyExpr toPy(JsonNode node) {
        if (node.isTextual()) {
            return new PyExpr.Str(node.textValue(), node.toString());
        }
        if (node.isIntegralNumber()) {
            return new PyExpr.Num(node.bigIntegerValue().toString());
        }
        if (node.isNumber()) {
            return new PyExpr.Num(Double.toString(node.doubleValue()));
        }
        if (node.isBoolean()) {
            return new PyExpr.Bool(node.booleanValue());
        }
        if (node.isArray()) {
            List<PyExpr> items = new ArrayList<>();
            node.forEach(item -> items.add(toPy(item)));
            return new PyExpr.Seq(items, node.toString());
        }
        if (node.isObject()) {
            Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> entries.put(new PyExpr.Str(e.getKey(), "\"" + e.getKey() + "\""), toPy(e.getValue())));
            return new PyExpr.Dict(entries, node.toString());
        }
        return new PyExpr.None();
    }

    private ConfigProblem unsupported(String source, Context at) {
        return problem(at, "@" + at.decorator().name() + "(... " + source + " ...) computes a value from a Config in a way"
                        + " Flowgate cannot evaluate without running the flow",
                "read the value directly: cfg.key.sub, cfg[\"key\"][\"sub\"] or config_expr(\"name.key.sub\")");
    }

    private ConfigProblem problem(Context at, String message, String fix) {
        return new ConfigProblem(flow.fileName(), at.decorator().line(), at.step(), message, fix);
    }

    /** A Config value a decorator needs cannot be determined; names file, line, step (null for the flow) and the fix. */
    public static final class ConfigProblem extends RuntimeException {
        private final String file;
        private final int line;
        private final String step;
        private final String fix;

        public ConfigProblem(String file, int line, String step, String message, String fix) {
            super(message);
            this.file = file;
            this.line = line;
            this.step = step;
            this.fix = fix;
        }

        public String file() {
            return file;
        }

        public int line() {
            return line;
        }

        public String step() {
            return step;
        }

        public String fix() {
            return fix;
        }
    }
}

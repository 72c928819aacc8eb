package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.PyValues.PyDict;
import dev.flowgate.compiler.parse.PyValues.PyError;
import dev.flowgate.compiler.parse.PyValues.PyList;
import dev.flowgate.compiler.parse.PyValues.PyTuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Computes decorator arguments and module-level constants written as expressions, at compile time and with
 * Python's semantics, without running any of the user's code: literals, f-strings (format specs and conversions),
 * {@code + - * / // % **}, bitwise and unary operators, comparisons, {@code and}/{@code or}/{@code not}, conditional
 * expressions, indexing and slicing, list/tuple/dict displays with {@code *}/{@code **}, the builtins
 * {@code len int float str min max round abs}, and names bound to constants ({@link Scope}). Whatever else an
 * expression uses (a call of another function, an attribute, a name that is not a constant) leaves it as written
 * ({@link PyExpr.Dotted}, {@link PyExpr.Call}, {@link PyExpr.Seq}, {@link PyExpr.Dict} or {@link PyExpr.Opaque}),
 * which is what the compiler saw before. An expression Python would raise on, or one whose value would exceed the
 * limits below (e.g. {@code 10 ** 10 ** 10}, {@code 'a' * 10**9}), is refused with its line.
 */
final class ConstantFolder {
    /** Strings up to this many characters; lists, tuples and dicts up to this many items and characters, nested. */
    static final long MAX_WEIGHT = 100_000;
    /** Integers up to this many bits (about 3,000 decimal digits; Python converts at most 4,300 digits to str). */
    static final int MAX_INT_BITS = 10_000;
    static final Set<String> BUILTINS = Set.of("len", "int", "float", "str", "min", "max", "round", "abs");
    private static final Pattern FLOAT_TEXT = Pattern.compile(
            "[+-]?(?:(?:\\d(?:_?\\d)*)?\\.?\\d(?:_?\\d)*|\\d(?:_?\\d)*\\.)(?:[eE][+-]?\\d(?:_?\\d)*)?");
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("[+-]?(?:inf|infinity|nan)", Pattern.CASE_INSENSITIVE);

    /** What a name is bound to where the expression is evaluated: a constant's value, or why it is not one. */
    sealed interface Binding {
        record Constant(Object value) implements Binding {
        }

        record Unknown(String reason) implements Binding {
        }
    }

    /** Name lookup: null when the name is not bound (then the allow-listed builtins apply). */
    @FunctionalInterface
    interface Scope {
        Binding lookup(String name);
    }

    /** An expression that is not a constant, and why. */
    record NotConstant(String reason) {
    }

    /** A value over the limits: refused before it is built. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String what) {
            super(what);
        }
    }

    private final Scope scope;

    ConstantFolder(Scope scope) {
        this.scope = scope;
    }

    /**
     * The expression as the compiler reads it: its value as a literal when it is a constant, else its structure
     * with every constant part computed. Throws {@link SyntaxProblem} (at {@code line}) when Python would raise or
     * the value is too large.
     */
    PyExpr fold(PyAst ast, int line) {
        Object value = valueAt(ast, line);
        if (!(value instanceof NotConstant)) {
            PyExpr literal = toExpr(value, ast);
            if (literal != null) {
                return literal;
            }
        }
        return structure(ast, line);
    }

    /** The value of the expression (see {@link PyValues}) or a {@link NotConstant}; problems as in {@link #fold}. */
    Object valueAt(PyAst ast, int line) {
        try {
            return evaluate(ast);
        } catch (PyError e) {
            throw new SyntaxProblem(line, shorten(ast.source()) + " raises " + e.getMessage()
                    + " (Python would raise it when it loads the flow)", "fix the expression");
        } catch (TooLarge e) {
            throw new SyntaxProblem(line, shorten(ast.source()) + " would compute " + e.getMessage()
                    + ": Flowgate computes strings and collections up to " + MAX_WEIGHT + " items or characters and integers up to "
                    + MAX_INT_BITS + " bits", "write a smaller value, or set it where the flow runs (e.g. an environment variable)");
        } catch (StackOverflowError e) {
            throw new SyntaxProblem(line, shorten(ast.source()) + " is nested too deeply to compute", "split it into named constants");
        }
    }

    /** {@code left op right} for an augmented assignment; problems as in {@link #fold}. */
    Object binaryAt(String op, Object left, Object right, String source, int line) {
        try {
            return PyOps.binary(op, left, right);
        } catch (PyError e) {
            throw new SyntaxProblem(line, shorten(source) + " raises " + e.getMessage()
                    + " (Python would raise it when it loads the flow)", "fix the expression");
        } catch (TooLarge e) {
            throw new SyntaxProblem(line, shorten(source) + " would compute " + e.getMessage()
                    + ": Flowgate computes strings and collections up to " + MAX_WEIGHT + " items or characters and integers up to "
                    + MAX_INT_BITS + " bits", "write a smaller value, or set it where the flow runs (e.g. an environment variable)");
        }
    }

    private static String shorten(String source) {
        return source.length() > 120 ? source.substring(0, 117) + "..." : source;
    }

    private PyExpr structure(PyAst ast, int line) {
        if (ast instanceof PyAst.Name || ast instanceof PyAst.Attribute) {
            List<String> parts = dottedParts(ast);
            return parts != null ? new PyExpr.Dotted(parts) : new PyExpr.Opaque(ast.source());
        }
        if (ast instanceof PyAst.Call call) {
            List<String> function = dottedParts(call.function());
            if (function == null) {
                return new PyExpr.Opaque(ast.source());
            }
            List<PyExpr> args = new ArrayList<>();
            Map<String, PyExpr> kwargs = new LinkedHashMap<>();
            for (PyAst.Arg arg : call.args()) {
                if (arg.star() > 0) {
                    args.add(new PyExpr.Opaque("*".repeat(arg.star()) + " " + arg.value().source()));
                } else if (arg.name() != null) {
                    kwargs.put(arg.name(), fold(arg.value(), line));
                } else {
                    args.add(fold(arg.value(), line));
                }
            }
            return new PyExpr.Call(new PyExpr.Dotted(function), args, kwargs, ast.source());
        }
        if (ast instanceof PyAst.ListDisplay list && list.items().stream().noneMatch(i -> i instanceof PyAst.Starred)) {
            return new PyExpr.Seq(list.items().stream().map(i -> fold(i, line)).toList(), ast.source());
        }
        if (ast instanceof PyAst.DictDisplay dict && !dict.keys().contains(null)) {
            Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
            for (int i = 0; i < dict.keys().size(); i++) {
                entries.put(fold(dict.keys().get(i), line), fold(dict.values().get(i), line));
            }
            return new PyExpr.Dict(entries, ast.source());
        }
        return new PyExpr.Opaque(ast.source());
    }

    /** {@code a.b.c} as its names, or null when the expression is not a dotted name. */
    static List<String> dottedParts(PyAst ast) {
        Deque<String> parts = new ArrayDeque<>();
        PyAst at = ast;
        while (at instanceof PyAst.Attribute a) {
            parts.addFirst(a.attr());
            at = a.value();
        }
        if (!(at instanceof PyAst.Name n)) {
            return null;
        }
        parts.addFirst(n.id());
        return List.copyOf(parts);
    }

    /** A computed value as a literal (an infinite or NaN float: its repr, kept as written). */
    static PyExpr literal(Object value) {
        PyExpr literal = toExpr(value, null);
        return literal != null ? literal : new PyExpr.Opaque(PyValues.repr(value));
    }

    /** A computed value as a literal; the literal's source is the written one for a plain literal. Null: inf/nan. */
    private static PyExpr toExpr(Object value, PyAst written) {
        boolean plain = written instanceof PyAst.Const;
        if (value == PyValues.NONE) {
            return new PyExpr.None();
        }
        if (value instanceof Boolean b) {
            return new PyExpr.Bool(b);
        }
        if (value instanceof String s) {
            return new PyExpr.Str(s, plain ? written.source() : PyValues.stringRepr(s));
        }
        if (value instanceof BigInteger i) {
            return new PyExpr.Num(plain && written.source().matches("[0-9_]+") ? written.source() : i.toString());
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return null;
            }
            return new PyExpr.Num(plain && written.source().matches("[0-9_.eE+-]+") ? written.source() : PyValues.floatRepr(d));
        }
        List<Object> items = value instanceof PyList l ? l.items() : value instanceof PyTuple t ? t.items() : null;
        if (items != null) {
            List<PyExpr> converted = new ArrayList<>();
            for (Object item : items) {
                PyExpr e = toExpr(item, null);
                if (e == null) {
                    return null;
                }
                converted.add(e);
            }
            return new PyExpr.Seq(converted, plain ? written.source() : PyValues.repr(value));
        }
        PyDict dict = (PyDict) value;
        Map<PyExpr, PyExpr> entries = new LinkedHashMap<>();
        for (Object key : dict.keys()) {
            PyExpr k = toExpr(key, null);
            PyExpr v = toExpr(dict.get(key), null);
            if (k == null || v == null) {
                return null;
            }
            entries.put(k, v);
        }
        return new PyExpr.Dict(entries, PyValues.repr(value));
    }

    // ---- evaluation -------------------------------------------------------------------------------------------

    Object evaluate(PyAst ast) {
        if (ast instanceof PyAst.Const c) {
            return c.value() == null ? PyValues.NONE : c.value();
        }
        if (ast instanceof PyAst.FString f) {
            return fstring(f.parts());
        }
        if (ast instanceof PyAst.Name n) {
            return name(n.id());
        }
        if (ast instanceof PyAst.Attribute a) {
            return new NotConstant(a.source() + " reads an attribute, which Flowgate does not compute");
        }
        if (ast instanceof PyAst.Call c) {
            return call(c);
        }
        if (ast instanceof PyAst.Subscript s) {
            return subscript(s);
        }
        if (ast instanceof PyAst.Slice s) {
            return new NotConstant(s.source() + " is a slice outside brackets");
        }
        if (ast instanceof PyAst.BinOp b) {
            return binaryChain(b);
        }
        if (ast instanceof PyAst.UnaryOp u) {
            return unary(u);
        }
        if (ast instanceof PyAst.BoolOp b) {
            return boolOp(b);
        }
        if (ast instanceof PyAst.Compare c) {
            return compare(c);
        }
        if (ast instanceof PyAst.IfExp i) {
            return conditional(i);
        }
        if (ast instanceof PyAst.Starred s) {
            return new NotConstant(s.source() + " unpacks outside a list, tuple or call");
        }
        if (ast instanceof PyAst.ListDisplay l) {
            return display(l);
        }
        if (ast instanceof PyAst.DictDisplay d) {
            return dict(d);
        }
        if (ast instanceof PyAst.Unsupported u) {
            return new NotConstant(u.source() + " is not an expression Flowgate computes"
                    + " (lambdas, comprehensions, sets and calls of functions other than " + String.join(", ", sortedBuiltins()) + " are not)");
        }
        throw new IllegalStateException("unknown node " + ast.getClass());
    }

    private static List<String> sortedBuiltins() {
        return BUILTINS.stream().sorted().toList();
    }

    private Object name(String id) {
        Binding binding = scope.lookup(id);
        if (binding instanceof Binding.Constant c) {
            return c.value();
        }
        if (binding instanceof Binding.Unknown u) {
            return new NotConstant(u.reason());
        }
        return new NotConstant("'" + id + "' is not a constant defined above in this file");
    }

    private Object fstring(List<PyAst.FPart> parts) {
        StringBuilder out = new StringBuilder();
        for (PyAst.FPart part : parts) {
            if (part instanceof PyAst.FText t) {
                out.append(t.text());
            } else {
                PyAst.FField field = (PyAst.FField) part;
                Object value = evaluate(field.expr());
                if (value instanceof NotConstant) {
                    return value;
                }
                Object spec = fstring(field.spec());
                if (spec instanceof NotConstant) {
                    return spec;
                }
                if (field.debugText() != null) {
                    out.append(field.debugText());
                }
                switch (field.conversion()) {
                    case 'r' -> value = PyValues.repr(value);
                    case 's' -> value = PyValues.str(value);
                    case 'a' -> value = PyValues.ascii(value);
                    default -> { }
                }
                out.append(PyFormat.format(value, (String) spec, (int) MAX_WEIGHT));
            }
            checkWeight(out.length(), "a string");
        }
        return out.toString();
    }

    private Object subscript(PyAst.Subscript s) {
        Object value = evaluate(s.value());
        if (value instanceof NotConstant) {
            return value;
        }
        if (s.index() instanceof PyAst.Slice slice) {
            Object[] bounds = new Object[3];
            PyAst[] parts = {slice.lower(), slice.upper(), slice.step()};
            for (int i = 0; i < 3; i++) {
                bounds[i] = parts[i] == null ? PyValues.NONE : evaluate(parts[i]);
                if (bounds[i] instanceof NotConstant) {
                    return bounds[i];
                }
            }
            return slice(value, bounds[0], bounds[1], bounds[2]);
        }
        Object index = evaluate(s.index());
        if (index instanceof NotConstant) {
            return index;
        }
        if (value instanceof PyDict d) {
            if (!d.contains(index)) {
                throw new PyError("KeyError", PyValues.repr(index));
            }
            return d.get(index);
        }
        List<Object> items = sequenceItems(value);
        if (items == null) {
            throw PyValues.typeError("'" + PyValues.typeName(value) + "' object is not subscriptable");
        }
        BigInteger i = PyValues.asInt(index);
        if (i == null) {
            throw PyValues.typeError(PyValues.typeName(value) + " indices must be integers or slices, not " + PyValues.typeName(index));
        }
        BigInteger size = BigInteger.valueOf(items.size());
        BigInteger at = i.signum() < 0 ? i.add(size) : i;
        if (at.signum() < 0 || at.compareTo(size) >= 0) {
            throw new PyError("IndexError", PyValues.typeName(value) + " index out of range");
        }
        return items.get(at.intValue());
    }

    /** A str's characters (as strings), a list's or tuple's items; null for other values. */
    private static List<Object> sequenceItems(Object value) {
        if (value instanceof String s) {
            List<Object> chars = new ArrayList<>();
            s.codePoints().forEach(c -> chars.add(new String(Character.toChars(c))));
            return chars;
        }
        if (value instanceof PyList l) {
            return l.items();
        }
        if (value instanceof PyTuple t) {
            return t.items();
        }
        return null;
    }

    private static Object slice(Object value, Object lower, Object upper, Object step) {
        List<Object> items = sequenceItems(value);
        if (items == null) {
            throw PyValues.typeError("'" + PyValues.typeName(value) + "' object is not subscriptable");
        }
        long n = items.size();
        long by = step == PyValues.NONE ? 1 : sliceIndex(step);
        if (by == 0) {
            throw new PyError("ValueError", "slice step cannot be zero");
        }
        long start;
        long stop;
        if (by > 0) {
            start = lower == PyValues.NONE ? 0 : clamp(sliceIndex(lower), n, 0, n);
            stop = upper == PyValues.NONE ? n : clamp(sliceIndex(upper), n, 0, n);
        } else {
            start = lower == PyValues.NONE ? n - 1 : clamp(sliceIndex(lower), n, -1, n - 1);
            stop = upper == PyValues.NONE ? -1 : clamp(sliceIndex(upper), n, -1, n - 1);
        }
        List<Object> result = new ArrayList<>();
        for (long i = start; by > 0 ? i < stop : i > stop; i += by) {
            result.add(items.get((int) i));
        }
        if (value instanceof String) {
            StringBuilder out = new StringBuilder();
            result.forEach(c -> out.append((String) c));
            return out.toString();
        }
        return value instanceof PyList ? new PyList(result) : new PyTuple(result);
    }

    private static long sliceIndex(Object bound) {
        BigInteger i = PyValues.asInt(bound);
        if (i == null) {
            throw PyValues.typeError("slice indices must be integers or None");
        }
        return i.max(BigInteger.valueOf(Integer.MIN_VALUE)).min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
    }

    private static long clamp(long index, long n, long low, long high) {
        long i = index < 0 ? index + n : index;
        return Math.max(low, Math.min(high, i));
    }

    private Object binaryChain(PyAst.BinOp top) {
        Deque<PyAst.BinOp> spine = new ArrayDeque<>();
        PyAst at = top;
        while (at instanceof PyAst.BinOp b && !b.op().equals("**")) {
            spine.push(b);
            at = b.left();
        }
        Object left = at instanceof PyAst.BinOp power ? powerOp(power) : evaluate(at);
        while (!spine.isEmpty()) {
            PyAst.BinOp b = spine.pop();
            if (left instanceof NotConstant) {
                return left;
            }
            Object right = evaluate(b.right());
            if (right instanceof NotConstant) {
                return right;
            }
            left = PyOps.binary(b.op(), left, right);
            if (left instanceof NotConstant n) {
                return new NotConstant(b.source() + ": " + n.reason());
            }
        }
        return left;
    }

    private Object powerOp(PyAst.BinOp b) {
        Object left = evaluate(b.left());
        if (left instanceof NotConstant) {
            return left;
        }
        Object right = evaluate(b.right());
        if (right instanceof NotConstant) {
            return right;
        }
        Object result = PyOps.binary("**", left, right);
        return result instanceof NotConstant n ? new NotConstant(b.source() + ": " + n.reason()) : result;
    }

    private Object unary(PyAst.UnaryOp u) {
        Object value = evaluate(u.operand());
        if (value instanceof NotConstant) {
            return value;
        }
        if (u.op().equals("not")) {
            return !PyValues.truthy(value);
        }
        if (value instanceof Double d) {
            return switch (u.op()) {
                case "-" -> -d;
                case "+" -> d;
                default -> throw PyValues.typeError("bad operand type for unary ~: 'float'");
            };
        }
        BigInteger i = PyValues.asInt(value);
        if (i == null) {
            throw PyValues.typeError("bad operand type for unary " + u.op() + ": '" + PyValues.typeName(value) + "'");
        }
        return switch (u.op()) {
            case "-" -> i.negate();
            case "+" -> i;
            default -> i.not();
        };
    }

    private Object boolOp(PyAst.BoolOp b) {
        Object value = null;
        for (PyAst operand : b.values()) {
            value = evaluate(operand);
            if (value instanceof NotConstant) {
                return value;
            }
            boolean truth = PyValues.truthy(value);
            if (b.op().equals("and") != truth) {
                return value;
            }
        }
        return value;
    }

    private Object compare(PyAst.Compare c) {
        Object left = evaluate(c.operands().get(0));
        if (left instanceof NotConstant) {
            return left;
        }
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = evaluate(c.operands().get(i + 1));
            if (right instanceof NotConstant) {
                return right;
            }
            Object result = PyOps.compare(c.ops().get(i), left, right);
            if (result instanceof NotConstant n) {
                return new NotConstant(c.source() + ": " + n.reason());
            }
            if (!(Boolean) result) {
                return false;
            }
            left = right;
        }
        return true;
    }

    private Object conditional(PyAst.IfExp i) {
        Object test = evaluate(i.test());
        if (test instanceof NotConstant) {
            return test;
        }
        return evaluate(PyValues.truthy(test) ? i.body() : i.orElse());
    }

    private Object display(PyAst.ListDisplay l) {
        List<Object> items = new ArrayList<>();
        long weight = 1;
        for (PyAst item : l.items()) {
            if (item instanceof PyAst.Starred s) {
                Object value = evaluate(s.value());
                if (value instanceof NotConstant) {
                    return value;
                }
                List<Object> unpacked = iterate(value);
                items.addAll(unpacked);
                weight += unpacked.stream().mapToLong(PyValues::weight).sum();
            } else {
                Object value = evaluate(item);
                if (value instanceof NotConstant) {
                    return value;
                }
                items.add(value);
                weight += PyValues.weight(value);
            }
            checkWeight(weight, l.tuple() ? "a tuple" : "a list");
        }
        return l.tuple() ? new PyTuple(items) : new PyList(items);
    }

    private Object dict(PyAst.DictDisplay d) {
        PyDict result = new PyDict();
        for (int i = 0; i < d.keys().size(); i++) {
            PyAst key = d.keys().get(i);
            Object value = evaluate(d.values().get(i));
            if (key == null) {
                if (value instanceof NotConstant) {
                    return value;
                }
                if (!(value instanceof PyDict merged)) {
                    throw PyValues.typeError("'" + PyValues.typeName(value) + "' object is not a mapping");
                }
                for (Object k : merged.keys()) {
                    result.put(k, merged.get(k));
                }
            } else {
                Object k = evaluate(key);
                if (k instanceof NotConstant) {
                    return k;
                }
                if (value instanceof NotConstant) {
                    return value;
                }
                result.put(k, value);
            }
            checkWeight(PyValues.weight(result), "a dict");
        }
        return result;
    }

    /** The items of an iterable constant: a str's characters, a list's or tuple's items, a dict's keys. */
    static List<Object> iterate(Object value) {
        if (value instanceof PyDict d) {
            return d.keys();
        }
        List<Object> items = sequenceItems(value);
        if (items == null) {
            throw PyValues.typeError("'" + PyValues.typeName(value) + "' object is not iterable");
        }
        return items;
    }

    static void checkWeight(long weight, String what) {
        if (weight > MAX_WEIGHT) {
            throw new TooLarge(what + " of more than " + MAX_WEIGHT + " items or characters");
        }
    }

    static BigInteger checkBits(BigInteger value) {
        if (value.bitLength() > MAX_INT_BITS) {
            throw new TooLarge("an integer of " + value.bitLength() + " bits");
        }
        return value;
    }

    // ---- builtins ---------------------------------------------------------------------------------------------

    private Object call(PyAst.Call c) {
        if (!(c.function() instanceof PyAst.Name n)) {
            return new NotConstant(c.source() + " calls " + c.function().source() + ", which Flowgate does not run");
        }
        Binding bound = scope.lookup(n.id());
        if (bound != null || !BUILTINS.contains(n.id())) {
            return new NotConstant(c.source() + " calls " + n.id() + "(), which Flowgate does not run (it computes only "
                    + String.join(", ", sortedBuiltins()) + ")");
        }
        if (c.args().stream().anyMatch(arg -> "key".equals(arg.name()))) {
            return new NotConstant(c.source() + ": " + n.id() + "(key=...) calls a function, which Flowgate does not run");
        }
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (PyAst.Arg arg : c.args()) {
            Object value = evaluate(arg.value());
            if (value instanceof NotConstant) {
                return value;
            }
            if (arg.star() == 1) {
                args.addAll(iterate(value));
            } else if (arg.star() == 2) {
                if (!(value instanceof PyDict d)) {
                    throw PyValues.typeError(n.id() + "() argument after ** must be a mapping, not " + PyValues.typeName(value));
                }
                for (Object key : d.keys()) {
                    if (!(key instanceof String s)) {
                        throw PyValues.typeError("keywords must be strings");
                    }
                    kwargs.put(s, d.get(key));
                }
            } else if (arg.name() != null) {
                kwargs.put(arg.name(), value);
            } else {
                args.add(value);
            }
        }
        return PyBuiltins.call(n.id(), args, kwargs, c.source());
    }

    // ---- helpers shared with PyOps / PyBuiltins ----------------------------------------------------------------

    /** Python's {@code float(text)}: decimal or inf/nan, with underscores between digits and surrounding whitespace. */
    static double parseFloat(String text) {
        String s = text.strip();
        if (SPECIAL_FLOAT.matcher(s).matches()) {
            boolean negative = s.startsWith("-");
            return s.toLowerCase().contains("nan") ? Double.NaN : negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!FLOAT_TEXT.matcher(s).matches()) {
            throw new PyError("ValueError", "could not convert string to float: " + PyValues.stringRepr(text));
        }
        return Double.parseDouble(s.replace("_", ""));
    }

    /** Python's {@code round(number, ndigits)} of a float: the exact binary value rounded half-even. */
    static double roundFloat(double value, long digits) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0 || digits > 330) {
            return value;
        }
        if (digits < -330) {
            return 0.0 * value;
        }
        double rounded = new BigDecimal(value).setScale((int) digits, RoundingMode.HALF_EVEN).doubleValue();
        return rounded == 0 ? Math.copySign(0.0, value) : rounded;
    }
}

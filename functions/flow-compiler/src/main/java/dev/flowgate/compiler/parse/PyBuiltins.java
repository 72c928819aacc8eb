package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.ConstantFolder.NotConstant;
import dev.flowgate.compiler.parse.ConstantFolder.TooLarge;
import dev.flowgate.compiler.parse.PyValues.PyDict;
import dev.flowgate.compiler.parse.PyValues.PyError;
import dev.flowgate.compiler.parse.PyValues.PyList;
import dev.flowgate.compiler.parse.PyValues.PyTuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The builtins Flowgate computes, with Python's semantics: {@code len int float str min max round abs}. */
final class PyBuiltins {
    /** Python refuses to convert longer digit strings to int (sys.int_info.default_max_str_digits). */
    private static final int MAX_STR_DIGITS = 4300;

    private PyBuiltins() {
    }

    static Object call(String name, List<Object> args, Map<String, Object> kwargs, String source) {
        return switch (name) {
            case "len" -> len(one(name, args, kwargs));
            case "abs" -> abs(one(name, args, kwargs));
            case "str" -> {
                expectOnly(name, kwargs, Set.of());
                if (args.size() > 1) {
                    yield new NotConstant(source + ": str() with an encoding is not computed");
                }
                yield args.isEmpty() ? "" : PyValues.str(args.get(0));
            }
            case "int" -> integer(args, kwargs);
            case "float" -> {
                expectOnly(name, kwargs, Set.of());
                if (args.size() > 1) {
                    throw PyValues.typeError("float expected at most 1 argument, got " + args.size());
                }
                yield args.isEmpty() ? 0.0 : toFloat(args.get(0));
            }
            case "round" -> round(args, kwargs);
            case "min", "max" -> extreme(name, args, kwargs, source);
            default -> new NotConstant(source + " calls " + name + "(), which Flowgate does not compute");
        };
    }

    private static Object one(String name, List<Object> args, Map<String, Object> kwargs) {
        expectOnly(name, kwargs, Set.of());
        if (args.size() != 1) {
            throw PyValues.typeError(name + "() takes exactly one argument (" + args.size() + " given)");
        }
        return args.get(0);
    }

    private static void expectOnly(String name, Map<String, Object> kwargs, Set<String> allowed) {
        for (String key : kwargs.keySet()) {
            if (!allowed.contains(key)) {
                throw PyValues.typeError(name + "() got an unexpected keyword argument '" + key + "'");
            }
        }
    }

    private static Object len(Object value) {
        if (value instanceof String s) {
            return BigInteger.valueOf(s.codePointCount(0, s.length()));
        }
        if (value instanceof PyList l) {
            return BigInteger.valueOf(l.items().size());
        }
        if (value instanceof PyTuple t) {
            return BigInteger.valueOf(t.items().size());
        }
        if (value instanceof PyDict d) {
            return BigInteger.valueOf(d.size());
        }
        throw PyValues.typeError("object of type '" + PyValues.typeName(value) + "' has no len()");
    }

    private static Object abs(Object value) {
        if (value instanceof Double d) {
            return Math.abs(d);
        }
        BigInteger i = PyValues.asInt(value);
        if (i == null) {
            throw PyValues.typeError("bad operand type for abs(): '" + PyValues.typeName(value) + "'");
        }
        return i.abs();
    }

    private static Object integer(List<Object> args, Map<String, Object> kwargs) {
        expectOnly("int", kwargs, Set.of("base"));
        if (args.isEmpty() && kwargs.isEmpty()) {
            return BigInteger.ZERO;
        }
        if (args.isEmpty() || args.size() + kwargs.size() > 2) {
            throw PyValues.typeError("int() takes at most 2 arguments");
        }
        Object value = args.get(0);
        Object base = args.size() > 1 ? args.get(1) : kwargs.get("base");
        if (base != null) {
            if (!(value instanceof String s)) {
                throw PyValues.typeError("int() can't convert non-string with explicit base");
            }
            BigInteger b = PyValues.asInt(base);
            if (b == null) {
                throw PyValues.typeError("'" + PyValues.typeName(base) + "' object cannot be interpreted as an integer");
            }
            if (!(b.signum() == 0 || b.compareTo(BigInteger.TWO) >= 0 && b.compareTo(BigInteger.valueOf(36)) <= 0)) {
                throw new PyError("ValueError", "int() base must be >= 2 and <= 36, or 0");
            }
            return parseInt(s, b.intValue());
        }
        if (value instanceof Double d) {
            if (d.isNaN()) {
                throw new PyError("ValueError", "cannot convert float NaN to integer");
            }
            if (d.isInfinite()) {
                throw new PyError("OverflowError", "cannot convert float infinity to integer");
            }
            return ConstantFolder.checkBits(new BigDecimal(d).setScale(0, RoundingMode.DOWN).toBigIntegerExact());
        }
        if (value instanceof String s) {
            return parseInt(s, 10);
        }
        BigInteger i = PyValues.asInt(value);
        if (i == null) {
            throw PyValues.typeError("int() argument must be a string, a bytes-like object or a real number, not '"
                    + PyValues.typeName(value) + "'");
        }
        return i;
    }

    /** Python's {@code int(text, base)}: whitespace, a sign, a base prefix (base 0 or matching), underscores between digits. */
    private static BigInteger parseInt(String text, int base) {
        String s = text.strip();
        String invalid = "invalid literal for int() with base " + base + ": " + PyValues.stringRepr(text);
        boolean negative = false;
        if (s.startsWith("+") || s.startsWith("-")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        String lower = s.toLowerCase();
        int radix = base;
        boolean prefixed = false;
        for (String[] prefix : new String[][]{{"0x", "16"}, {"0o", "8"}, {"0b", "2"}}) {
            int r = Integer.parseInt(prefix[1]);
            if (lower.startsWith(prefix[0]) && (base == 0 || base == r)) {
                radix = r;
                s = s.substring(2);
                prefixed = true;
                break;
            }
        }
        if (radix == 0) {
            radix = 10;
            if (s.length() > 1 && s.replace("_", "").matches("0+") == false && s.startsWith("0")) {
                throw new PyError("ValueError", invalid);
            }
        }
        if (prefixed && s.startsWith("_")) {
            s = s.substring(1);
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) {
            throw new PyError("ValueError", invalid);
        }
        String digits = s.replace("_", "");
        if (radix == 10 && digits.length() > MAX_STR_DIGITS) {
            throw new TooLarge("an integer of " + digits.length() + " digits");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw new PyError("ValueError", invalid);
            }
        }
        BigInteger value = ConstantFolder.checkBits(new BigInteger(digits, radix));
        return negative ? value.negate() : value;
    }

    private static double toFloat(Object value) {
        if (value instanceof String s) {
            return ConstantFolder.parseFloat(s);
        }
        if (PyValues.isNumber(value)) {
            return PyValues.asFloat(value);
        }
        throw PyValues.typeError("float() argument must be a string or a real number, not '" + PyValues.typeName(value) + "'");
    }

    private static Object round(List<Object> args, Map<String, Object> kwargs) {
        expectOnly("round", kwargs, Set.of("number", "ndigits"));
        Object number = !args.isEmpty() ? args.get(0) : kwargs.get("number");
        Object digits = args.size() > 1 ? args.get(1) : kwargs.getOrDefault("ndigits", PyValues.NONE);
        if (number == null || args.size() > 2) {
            throw PyValues.typeError("round() takes at most 2 arguments and needs a number");
        }
        if (!PyValues.isNumber(number)) {
            throw PyValues.typeError("type " + PyValues.typeName(number) + " doesn't define __round__ method");
        }
        if (digits == PyValues.NONE) {
            if (number instanceof Double d) {
                if (d.isNaN()) {
                    throw new PyError("ValueError", "cannot convert float NaN to integer");
                }
                if (d.isInfinite()) {
                    throw new PyError("OverflowError", "cannot convert float infinity to integer");
                }
                return new BigDecimal(d).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
            }
            return PyValues.asInt(number);
        }
        BigInteger n = PyValues.asInt(digits);
        if (n == null) {
            throw PyValues.typeError("'" + PyValues.typeName(digits) + "' object cannot be interpreted as an integer");
        }
        long places = n.max(BigInteger.valueOf(-100_000)).min(BigInteger.valueOf(100_000)).longValue();
        if (number instanceof Double d) {
            return ConstantFolder.roundFloat(d, places);
        }
        BigInteger i = PyValues.asInt(number);
        if (places >= 0) {
            return i;
        }
        if (-places > i.bitLength()) {
            return BigInteger.ZERO;
        }
        return new BigDecimal(i).setScale((int) places, RoundingMode.HALF_EVEN).toBigIntegerExact();
    }

    private static Object extreme(String name, List<Object> args, Map<String, Object> kwargs, String source) {
        if (kwargs.containsKey("key")) {
            return new NotConstant(source + ": " + name + "(key=...) calls a function, which Flowgate does not run");
        }
        expectOnly(name, kwargs, Set.of("default"));
        List<Object> items;
        if (args.size() == 1) {
            items = ConstantFolder.iterate(args.get(0));
        } else if (args.isEmpty()) {
            throw PyValues.typeError(name + " expected at least 1 argument, got 0");
        } else {
            if (kwargs.containsKey("default")) {
                throw PyValues.typeError("Cannot specify a default for " + name + "() with multiple positional arguments");
            }
            items = args;
        }
        if (items.isEmpty()) {
            if (kwargs.containsKey("default")) {
                return kwargs.get("default");
            }
            throw new PyError("ValueError", name + "() arg is an empty sequence");
        }
        Object best = items.get(0);
        String op = name.equals("max") ? ">" : "<";
        for (Object item : items.subList(1, items.size())) {
            if (Boolean.TRUE.equals(PyOps.compare(op, item, best))) {
                best = item;
            }
        }
        return best;
    }
}

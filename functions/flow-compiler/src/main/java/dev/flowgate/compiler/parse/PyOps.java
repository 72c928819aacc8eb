package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.ConstantFolder.NotConstant;
import dev.flowgate.compiler.parse.ConstantFolder.TooLarge;
import dev.flowgate.compiler.parse.PyValues.PyDict;
import dev.flowgate.compiler.parse.PyValues.PyError;
import dev.flowgate.compiler.parse.PyValues.PyList;
import dev.flowgate.compiler.parse.PyValues.PyTuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** Python's binary operators and comparisons on {@link PyValues}, with the limits of {@link ConstantFolder}. */
final class PyOps {
    private static final BigInteger TWO_53 = BigInteger.ONE.shiftLeft(53);

    private PyOps() {
    }

    static Object binary(String op, Object left, Object right) {
        BigInteger a = PyValues.asInt(left);
        BigInteger b = PyValues.asInt(right);
        if (a != null && b != null) {
            return integers(op, a, b);
        }
        if (PyValues.isNumber(left) && PyValues.isNumber(right)) {
            if (op.equals("|") || op.equals("&") || op.equals("^") || op.equals("<<") || op.equals(">>") || op.equals("@")) {
                throw unsupported(op, left, right);
            }
            double x = PyValues.asFloat(left);
            double y = PyValues.asFloat(right);
            if (op.equals("**") && x < 0 && y != Math.rint(y) && !Double.isInfinite(y)) {
                return new NotConstant("a negative number to a fractional power is a complex number, which Flowgate does not compute");
            }
            return floats(op, x, y);
        }
        switch (op) {
            case "+":
                if (left instanceof String x && right instanceof String y) {
                    ConstantFolder.checkWeight((long) x.length() + y.length(), "a string");
                    return x + y;
                }
                if (left instanceof PyList x && right instanceof PyList y) {
                    return new PyList(concat(x.items(), y.items(), x.weight() + y.weight()));
                }
                if (left instanceof PyTuple x && right instanceof PyTuple y) {
                    return new PyTuple(concat(x.items(), y.items(), x.weight() + y.weight()));
                }
                break;
            case "*":
                if (b != null) {
                    return repeat(left, b, right);
                }
                if (a != null) {
                    return repeat(right, a, left);
                }
                break;
            case "|":
                if (left instanceof PyDict x && right instanceof PyDict y) {
                    PyDict merged = new PyDict();
                    x.keys().forEach(k -> merged.put(k, x.get(k)));
                    y.keys().forEach(k -> merged.put(k, y.get(k)));
                    ConstantFolder.checkWeight(PyValues.weight(merged), "a dict");
                    return merged;
                }
                break;
            case "%":
                if (left instanceof String) {
                    return new NotConstant("printf-style '%' formatting is not computed (write an f-string instead)");
                }
                break;
            default:
                break;
        }
        throw unsupported(op, left, right);
    }

    private static List<Object> concat(List<Object> x, List<Object> y, long weight) {
        ConstantFolder.checkWeight(weight, "a list");
        List<Object> items = new ArrayList<>(x);
        items.addAll(y);
        return items;
    }

    private static Object repeat(Object sequence, BigInteger times, Object timesValue) {
        if (!(sequence instanceof String || sequence instanceof PyList || sequence instanceof PyTuple)) {
            throw unsupported("*", sequence, timesValue);
        }
        long unit = sequence instanceof String s ? s.length() : PyValues.weight(sequence) - 1;
        long n = times.signum() <= 0 || unit == 0 ? 0 : times.min(BigInteger.valueOf(Long.MAX_VALUE / 4)).longValue();
        if (n > 0 && unit > 0 && (n > ConstantFolder.MAX_WEIGHT || unit * n > ConstantFolder.MAX_WEIGHT)) {
            throw new TooLarge((sequence instanceof String ? "a string of " : "a " + PyValues.typeName(sequence) + " of ")
                    + BigInteger.valueOf(unit).multiply(times) + (sequence instanceof String ? " characters" : " items"));
        }
        if (sequence instanceof String s) {
            return s.repeat((int) n);
        }
        List<Object> items = sequence instanceof PyList l ? l.items() : ((PyTuple) sequence).items();
        List<Object> result = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            result.addAll(items);
        }
        return sequence instanceof PyList ? new PyList(result) : new PyTuple(result);
    }

    private static PyError unsupported(String op, Object left, Object right) {
        return PyValues.typeError("unsupported operand type(s) for " + op + ": '" + PyValues.typeName(left) + "' and '"
                + PyValues.typeName(right) + "'");
    }

    private static Object integers(String op, BigInteger a, BigInteger b) {
        switch (op) {
            case "+":
                return ConstantFolder.checkBits(a.add(b));
            case "-":
                return ConstantFolder.checkBits(a.subtract(b));
            case "*":
                if ((long) a.bitLength() + b.bitLength() > ConstantFolder.MAX_INT_BITS + 1) {
                    throw new TooLarge("an integer of about " + ((long) a.bitLength() + b.bitLength()) + " bits");
                }
                return ConstantFolder.checkBits(a.multiply(b));
            case "/":
                if (b.signum() == 0) {
                    throw new PyError("ZeroDivisionError", "division by zero");
                }
                return trueDivide(a, b);
            case "//":
            case "%": {
                if (b.signum() == 0) {
                    throw new PyError("ZeroDivisionError", "integer division or modulo by zero");
                }
                BigInteger[] qr = a.divideAndRemainder(b);
                BigInteger q = qr[0];
                BigInteger r = qr[1];
                if (r.signum() != 0 && r.signum() != b.signum()) {
                    q = q.subtract(BigInteger.ONE);
                    r = r.add(b);
                }
                return op.equals("//") ? q : r;
            }
            case "**":
                return power(a, b);
            case "<<":
            case ">>": {
                if (b.signum() < 0) {
                    throw new PyError("ValueError", "negative shift count");
                }
                if (op.equals(">>")) {
                    return b.compareTo(BigInteger.valueOf(ConstantFolder.MAX_INT_BITS * 2L)) > 0
                            ? BigInteger.valueOf(a.signum() < 0 ? -1 : 0) : a.shiftRight(b.intValue());
                }
                if (a.signum() == 0) {
                    return a;
                }
                if (b.add(BigInteger.valueOf(a.bitLength())).compareTo(BigInteger.valueOf(ConstantFolder.MAX_INT_BITS)) > 0) {
                    throw new TooLarge("an integer of " + b.add(BigInteger.valueOf(a.bitLength())) + " bits");
                }
                return a.shiftLeft(b.intValue());
            }
            case "&":
                return a.and(b);
            case "|":
                return a.or(b);
            case "^":
                return a.xor(b);
            default:
                throw PyValues.typeError("unsupported operand type(s) for " + op + ": 'int' and 'int'");
        }
    }

    /** int / int, correctly rounded as Python does. */
    private static double trueDivide(BigInteger a, BigInteger b) {
        if (a.abs().compareTo(TWO_53) <= 0 && b.abs().compareTo(TWO_53) <= 0) {
            return a.doubleValue() / b.doubleValue();
        }
        BigDecimal quotient = new BigDecimal(a).divide(new BigDecimal(b), new MathContext(40, RoundingMode.HALF_EVEN));
        double d = quotient.doubleValue();
        if (Double.isInfinite(d)) {
            throw new PyError("OverflowError", "integer division result too large for a float");
        }
        return d;
    }

    private static Object power(BigInteger a, BigInteger b) {
        if (b.signum() < 0) {
            if (a.signum() == 0) {
                throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
            }
            return floats("**", PyValues.asFloat(a), PyValues.asFloat(b));
        }
        if (a.signum() == 0 || a.equals(BigInteger.ONE)) {
            return b.signum() == 0 ? BigInteger.ONE : a;
        }
        if (a.equals(BigInteger.ONE.negate())) {
            return b.testBit(0) ? a : BigInteger.ONE;
        }
        BigInteger bits = BigInteger.valueOf(a.abs().bitLength() - 1).multiply(b);
        if (b.bitLength() > 31 || bits.compareTo(BigInteger.valueOf(ConstantFolder.MAX_INT_BITS)) > 0) {
            throw new TooLarge("an integer of more than " + (b.bitLength() > 62 ? "2**62" : bits.toString()) + " bits");
        }
        return ConstantFolder.checkBits(a.pow(b.intValue()));
    }

    private static double floats(String op, double x, double y) {
        switch (op) {
            case "+":
                return x + y;
            case "-":
                return x - y;
            case "*":
                return x * y;
            case "/":
                if (y == 0) {
                    throw new PyError("ZeroDivisionError", "float division by zero");
                }
                return x / y;
            case "//":
            case "%": {
                if (y == 0) {
                    throw new PyError("ZeroDivisionError", op.equals("//") ? "float floor division by zero" : "float modulo");
                }
                // CPython's float_divmod
                double mod = x % y;
                double div = (x - mod) / y;
                if (mod != 0) {
                    if ((y < 0) != (mod < 0)) {
                        mod += y;
                        div -= 1.0;
                    }
                } else {
                    mod = Math.copySign(0.0, y);
                }
                double floorDiv;
                if (div != 0) {
                    floorDiv = Math.floor(div);
                    if (div - floorDiv > 0.5) {
                        floorDiv += 1.0;
                    }
                } else {
                    floorDiv = Math.copySign(0.0, x / y);
                }
                return op.equals("//") ? floorDiv : mod;
            }
            case "**": {
                if (x == 0 && y < 0) {
                    throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
                }
                double result = Math.pow(x, y);
                if (Double.isInfinite(result) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
                    throw new PyError("OverflowError", "(34, 'Numerical result out of range')");
                }
                return result;
            }
            default:
                throw PyValues.typeError("unsupported operand type(s) for " + op + ": 'float' and 'float'");
        }
    }

    /** {@code left op right} for one link of a comparison chain: Boolean, or NotConstant for {@code is} on non-singletons. */
    static Object compare(String op, Object left, Object right) {
        switch (op) {
            case "==":
                return PyValues.equal(left, right);
            case "!=":
                return !PyValues.equal(left, right);
            case "in":
                return contains(right, left);
            case "not in":
                return !contains(right, left);
            case "is":
            case "is not": {
                boolean singletons = left == PyValues.NONE || right == PyValues.NONE || left instanceof Boolean && right instanceof Boolean;
                if (!singletons) {
                    return new NotConstant("'is' compares identities, which only None, True and False have at compile time (use ==)");
                }
                boolean same = left == right || left instanceof Boolean && left.equals(right);
                return op.equals("is") == same;
            }
            default: {
                int order = PyValues.order(left, right, op);
                if (order == 2) {
                    return false;
                }
                return switch (op) {
                    case "<" -> order < 0;
                    case "<=" -> order <= 0;
                    case ">" -> order > 0;
                    default -> order >= 0;
                };
            }
        }
    }

    private static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String sub)) {
                throw PyValues.typeError("'in <string>' requires string as left operand, not " + PyValues.typeName(item));
            }
            return s.contains(sub);
        }
        if (container instanceof PyDict d) {
            return d.contains(item);
        }
        if (container instanceof PyList || container instanceof PyTuple) {
            for (Object x : ConstantFolder.iterate(container)) {
                if (PyValues.equal(x, item)) {
                    return true;
                }
            }
            return false;
        }
        throw PyValues.typeError("argument of type '" + PyValues.typeName(container) + "' is not iterable");
    }
}

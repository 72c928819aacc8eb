package dev.flowgate.compiler.parse;

import dev.flowgate.compiler.parse.PyValues.PyError;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code format(value, spec)} for str, int, bool, float (and None/containers with an empty spec): the
 * format-spec mini-language {@code [[fill]align][sign]["z"]["#"]["0"][width][grouping]["." precision][type]}, with
 * floats rounded half-even from their exact binary value, as CPython does.
 */
final class PyFormat {
    private static final Pattern SPEC = Pattern.compile(
            "^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\\d+)?([,_])?(?:\\.(\\d+))?([bcdeEfFgGnosxX%])?$", Pattern.DOTALL);

    private PyFormat() {
    }

    static String format(Object value, String spec, int maxLength) {
        if (spec.isEmpty()) {
            return PyValues.str(value);
        }
        // the fill is any character: when the spec's second character is an alignment, the first one is the fill
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new PyError("ValueError", "Invalid format specifier '" + spec + "' for object of type '" + PyValues.typeName(value) + "'");
        }
        Spec s = new Spec(m.group(1), m.group(2), m.group(3), m.group(4) != null, m.group(5) != null, m.group(6) != null,
                m.group(7) == null ? -1 : bounded(m.group(7), maxLength), m.group(8), m.group(9) == null ? -1 : bounded(m.group(9), maxLength),
                m.group(10) == null ? 0 : m.group(10).charAt(0));
        if (value instanceof String str) {
            return string(str, s);
        }
        if (value instanceof BigInteger || value instanceof Boolean) {
            return integer(PyValues.asInt(value), s, maxLength);
        }
        if (value instanceof Double d) {
            return floating(d, s);
        }
        throw PyValues.typeError("unsupported format string passed to " + PyValues.typeName(value) + ".__format__");
    }

    private static int bounded(String digits, int max) {
        if (digits.length() > 7 || Integer.parseInt(digits) > max) {
            throw new ConstantFolder.TooLarge("a format width or precision of " + digits + " (at most " + max + ")");
        }
        return Integer.parseInt(digits);
    }

    private record Spec(String fill, String align, String sign, boolean z, boolean alternate, boolean zero, int width,
                        String grouping, int precision, char type) {
    }

    private static String string(String value, Spec s) {
        if (s.type() != 0 && s.type() != 's') {
            throw new PyError("ValueError", "Unknown format code '" + s.type() + "' for object of type 'str'");
        }
        if (s.sign() != null) {
            throw new PyError("ValueError", "Sign not allowed in string format specifier");
        }
        if (s.alternate()) {
            throw new PyError("ValueError", "Alternate form (#) not allowed in string format specifier");
        }
        if (s.grouping() != null) {
            throw new PyError("ValueError", "Cannot specify '" + s.grouping() + "' with 's'.");
        }
        if ("=".equals(s.align())) {
            throw new PyError("ValueError", "'=' alignment not allowed in string format specifier");
        }
        String text = value;
        if (s.precision() >= 0 && text.codePointCount(0, text.length()) > s.precision()) {
            text = text.substring(0, text.offsetByCodePoints(0, s.precision()));
        }
        return pad("", text, s, "<");
    }

    private static String integer(BigInteger value, Spec s, int maxLength) {
        char type = s.type();
        if ("eEfFgG%".indexOf(type) >= 0 && type != 0) {
            return floating(PyValues.asFloat(value), s);
        }
        if (s.precision() >= 0) {
            throw new PyError("ValueError", "Precision not allowed in integer format specifier");
        }
        if (s.z()) {
            throw new PyError("ValueError", "Negative zero coercion (z) not allowed in integer format specifier");
        }
        String digits;
        String prefix = "";
        switch (type) {
            case 'b' -> {
                digits = value.abs().toString(2);
                prefix = s.alternate() ? "0b" : "";
            }
            case 'o' -> {
                digits = value.abs().toString(8);
                prefix = s.alternate() ? "0o" : "";
            }
            case 'x' -> {
                digits = value.abs().toString(16);
                prefix = s.alternate() ? "0x" : "";
            }
            case 'X' -> {
                digits = value.abs().toString(16).toUpperCase();
                prefix = s.alternate() ? "0X" : "";
            }
            case 'c' -> {
                if (s.sign() != null) {
                    throw new PyError("ValueError", "Sign not allowed with integer format specifier 'c'");
                }
                if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(0x10FFFF)) > 0) {
                    throw new PyError("OverflowError", "%c arg not in range(0x110000)");
                }
                return pad("", new String(Character.toChars(value.intValue())), s, ">");
            }
            case 0, 'd', 'n' -> digits = value.abs().toString();
            default -> throw new PyError("ValueError", "Unknown format code '" + type + "' for object of type 'int'");
        }
        if (s.grouping() != null) {
            if (s.grouping().equals(",") && "bBoxXn".indexOf(type) >= 0 && type != 0) {
                throw new PyError("ValueError", "Cannot specify ',' with '" + type + "'.");
            }
            digits = group(digits, s.grouping().charAt(0), "bBoxX".indexOf(type) >= 0 && type != 0 ? 4 : 3);
        }
        return pad(sign(value.signum() < 0, s) + prefix, digits, s, ">");
    }

    private static String floating(double value, Spec s) {
        char type = s.type();
        if ("bcdoxXs".indexOf(type) >= 0 && type != 0) {
            throw new PyError("ValueError", "Unknown format code '" + type + "' for object of type 'float'");
        }
        boolean negative = value < 0 || value == 0 && 1 / value < 0;
        if (Double.isNaN(value)) {
            negative = false;
        }
        double magnitude = Math.abs(value);
        String body;
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            body = Double.isNaN(value) ? "nan" : "inf";
            if (Character.isUpperCase(type)) {
                body = body.toUpperCase();
            }
            if (type == '%') {
                body += "%";
            }
        } else {
            int precision = s.precision() < 0 ? 6 : s.precision();
            BigDecimal exact = new BigDecimal(magnitude);
            switch (type) {
                case 'f', 'F' -> body = fixed(exact, precision, s.alternate());
                case '%' -> body = fixed(exact.multiply(BigDecimal.valueOf(100)), precision, s.alternate()) + "%";
                case 'e', 'E' -> body = scientific(exact, precision, s.alternate(), type == 'E');
                case 'g', 'G', 'n' -> body = general(exact, magnitude, precision == 0 ? 1 : precision, s.alternate(), type == 'G', false);
                default -> body = s.precision() < 0
                        ? PyValues.floatRepr(magnitude)
                        : general(exact, magnitude, precision == 0 ? 1 : precision, s.alternate(), false, true);
            }
            if (s.z() && negative && isZero(body)) {
                negative = false;
            }
        }
        if (s.grouping() != null && Character.isDigit(body.isEmpty() ? 'x' : body.charAt(0))) {
            int end = 0;
            while (end < body.length() && Character.isDigit(body.charAt(end))) {
                end++;
            }
            body = group(body.substring(0, end), s.grouping().charAt(0), 3) + body.substring(end);
        }
        return pad(sign(negative, s), body, s, ">");
    }

    private static boolean isZero(String body) {
        for (char c : body.toCharArray()) {
            if (c >= '1' && c <= '9') {
                return false;
            }
            if (c == 'e' || c == 'E') {
                break;
            }
        }
        return true;
    }

    private static String fixed(BigDecimal exact, int precision, boolean alternate) {
        String text = exact.setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        return alternate && precision == 0 ? text + "." : text;
    }

    private static String scientific(BigDecimal exact, int precision, boolean alternate, boolean upper) {
        String mantissa;
        int exponent;
        if (exact.signum() == 0) {
            mantissa = precision == 0 ? "0" : "0." + "0".repeat(precision);
            exponent = 0;
        } else {
            BigDecimal rounded = exact.round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            String digits = rounded.unscaledValue().toString();
            digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
            exponent = rounded.precision() - rounded.scale() - 1;
            mantissa = precision == 0 ? digits : digits.charAt(0) + "." + digits.substring(1);
        }
        if (alternate && precision == 0) {
            mantissa += ".";
        }
        return mantissa + (upper ? "E" : "e") + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    /** 'g' (and, with {@code noType}, the empty type with a precision: a digit after the point in fixed notation). */
    private static String general(BigDecimal exact, double magnitude, int precision, boolean alternate, boolean upper, boolean noType) {
        int exponent;
        if (exact.signum() == 0) {
            exponent = 0;
        } else {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - rounded.scale() - 1;
        }
        int limit = noType ? precision - 1 : precision;
        String body;
        if (exponent >= -4 && exponent < limit) {
            body = fixed(exact, Math.max(precision - 1 - exponent, 0), false);
            if (!alternate) {
                body = stripZeros(body);
                if (noType && !body.contains(".")) {
                    body += ".0";
                }
            } else if (!body.contains(".")) {
                body += ".";
            }
        } else {
            body = scientific(exact, precision - 1, alternate, upper);
            if (!alternate) {
                int e = body.indexOf(upper ? 'E' : 'e');
                body = stripZeros(body.substring(0, e)) + body.substring(e);
            }
        }
        return body;
    }

    private static String stripZeros(String number) {
        if (!number.contains(".")) {
            return number;
        }
        String stripped = number.replaceAll("0+$", "");
        return stripped.endsWith(".") ? stripped.substring(0, stripped.length() - 1) : stripped;
    }

    private static String group(String digits, char separator, int size) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % size == 0) {
                out.append(separator);
            }
            out.append(digits.charAt(i));
        }
        return out.toString();
    }

    private static String sign(boolean negative, Spec s) {
        if (negative) {
            return "-";
        }
        if ("+".equals(s.sign())) {
            return "+";
        }
        return " ".equals(s.sign()) ? " " : "";
    }

    /** Pads {@code prefix + body} to the width; '=' (and the '0' flag on numbers) pads between sign and digits. */
    private static String pad(String prefix, String body, Spec s, String defaultAlign) {
        String fill = s.fill() != null ? s.fill() : s.zero() ? "0" : " ";
        String align = s.align() != null ? s.align() : s.zero() && defaultAlign.equals(">") ? "=" : defaultAlign;
        int length = (prefix + body).codePointCount(0, (prefix + body).length());
        int missing = s.width() - length;
        if (missing <= 0) {
            return prefix + body;
        }
        return switch (align) {
            case "<" -> prefix + body + fill.repeat(missing);
            case "^" -> fill.repeat(missing / 2) + prefix + body + fill.repeat(missing - missing / 2);
            case "=" -> prefix + fill.repeat(missing) + body;
            default -> fill.repeat(missing) + prefix + body;
        };
    }
}

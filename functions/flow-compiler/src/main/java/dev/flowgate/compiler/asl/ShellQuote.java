package dev.flowgate.compiler.asl;

import java.util.regex.Pattern;

/**
 * The one way a value enters the bash line of a container: as exactly one word that bash does not evaluate.
 * The same result as Python's {@code shlex.quote}: a value made only of ASCII word characters and
 * {@code @%+=:,./-} stays bare, anything else is wrapped in single quotes (inside which bash expands nothing),
 * each {@code '} written as {@code '"'"'}. A NUL cannot be carried in a bash argument at all and is refused.
 */
public final class ShellQuote {
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuote() {
    }

    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a value with a NUL character cannot be passed to a container command");
        }
        if (value.isEmpty()) {
            return "''";
        }
        if (BARE.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}

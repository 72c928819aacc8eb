package dev.flowgate.cli.template;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the part of Jinja that Flowgate's cookiecutter templates use — {@code {{ cookiecutter.NAME }}}
 * with the filters {@code lower}, {@code upper}, {@code replace('a', 'b')} and {@code snake_case} — exactly
 * as cookiecutter does. Any other Jinja construct ({@code {% %}}, {@code {# #}}, other expressions) is
 * refused, so a template can never render differently here and in cookiecutter without a loud error.
 */
final class TemplateText {
    private static final Pattern EXPRESSION = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
    private static final Pattern VARIABLE = Pattern.compile("\\s*cookiecutter\\.([A-Za-z_][A-Za-z0-9_]*)\\s*");
    private static final Pattern REPLACE = Pattern.compile("replace\\(\\s*'([^']*)'\\s*,\\s*'([^']*)'\\s*\\)");
    private static final Pattern SNAKE_1 = Pattern.compile("([A-Z]+)([A-Z][a-z])");
    private static final Pattern SNAKE_2 = Pattern.compile("([a-z0-9])([A-Z])");

    private TemplateText() {
    }

    static String render(String text, Map<String, String> values, String where) {
        refuse(text, "{%", where);
        refuse(text, "{#", where);
        Matcher matcher = EXPRESSION.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(evaluate(matcher.group(1), values, where)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String evaluate(String expression, Map<String, String> values, String where) {
        String[] parts = expression.split("\\|");
        Matcher variable = VARIABLE.matcher(parts[0]);
        if (!variable.matches()) {
            throw new TemplateException(where + ": unsupported expression {{" + expression + "}}; only {{ cookiecutter.NAME|filter }} is allowed");
        }
        String value = values.get(variable.group(1));
        if (value == null) {
            throw new TemplateException(where + ": unknown variable cookiecutter." + variable.group(1));
        }
        for (int i = 1; i < parts.length; i++) {
            value = applyFilter(parts[i].strip(), value, where);
        }
        return value;
    }

    private static String applyFilter(String filter, String value, String where) {
        switch (filter) {
            case "lower":
                return value.toLowerCase(Locale.ROOT);
            case "upper":
                return value.toUpperCase(Locale.ROOT);
            case "snake_case":
                return snakeCase(value);
            default:
                Matcher replace = REPLACE.matcher(filter);
                if (replace.matches()) {
                    return value.replace(replace.group(1), replace.group(2));
                }
                throw new TemplateException(where + ": unsupported filter '" + filter + "'");
        }
    }

    /** The template's {@code snake_case} filter (local_extensions.py): ChurnTrainingFlow → churn_training_flow. */
    static String snakeCase(String value) {
        String step1 = SNAKE_1.matcher(value).replaceAll("$1_$2");
        return SNAKE_2.matcher(step1).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
    }

    private static void refuse(String text, String marker, String where) {
        if (text.contains(marker)) {
            throw new TemplateException(where + ": contains '" + marker + "', a Jinja construct flowgate new-project does not"
                    + " render; keep templates to {{ cookiecutter.NAME }} substitutions");
        }
    }
}

package dev.flowgate.model.naming;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The naming rules the real Metaflow enforces.
 *
 * <ul>
 *   <li>Flow names are Python class names (identifiers), e.g. {@code TrainingFlow}.</li>
 *   <li>Step names pass Metaflow's linter ({@code lint.check_step_names}, {@code check_reserved_words}):
 *       lowercase ASCII letters, digits and underscores, not starting with {@code _} (nor a digit, being
 *       Python method names), and not one of the reserved words.</li>
 *   <li>Run and task ids are either numbers (allocated by the metadata service) or strings registered by an
 *       orchestrator ({@code sfn-…}, {@code argo-…}, Batch job ids); neither may be empty or contain
 *       {@code /}, the pathspec separator.</li>
 * </ul>
 */
public final class MetaflowNames {
    /** Metaflow's {@code lint.check_reserved_words}. */
    public static final Set<String> RESERVED_STEP_NAMES = Set.of("name", "next", "input", "index", "cmd");

    private static final Pattern PYTHON_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern STEP_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Set<String> PYTHON_KEYWORDS = Set.of(
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
            "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
            "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");
    /** Metaflow's {@code @project} rule for project and branch names ({@code project_decorator.format_name}). */
    private static final Pattern PROJECT_NAME = Pattern.compile("[a-z0-9_]{1,128}");
    /** Upper bound on any id we store; far above anything Metaflow or an orchestrator generates. */
    public static final int MAX_ID_LENGTH = 255;

    private MetaflowNames() {
    }

    public static String requireFlowName(String field, String name) {
        requirePresent(field, name);
        if (!PYTHON_IDENTIFIER.matcher(name).matches() || PYTHON_KEYWORDS.contains(name)) {
            throw new InvalidNameException(field, field + " '" + shorten(name)
                    + "' is not a valid flow name: a flow is a Python class, so use letters, digits and"
                    + " underscores, not starting with a digit (e.g. TrainingFlow)");
        }
        requireMaxLength(field, name);
        return name;
    }

    public static String requireStepName(String field, String name) {
        requirePresent(field, name);
        if (!STEP_NAME.matcher(name).matches() || PYTHON_KEYWORDS.contains(name)) {
            throw new InvalidNameException(field, field + " '" + shorten(name)
                    + "' is not a valid step name: only lowercase ASCII letters, digits and underscores are"
                    + " allowed, starting with a letter (e.g. train_model)");
        }
        if (RESERVED_STEP_NAMES.contains(name)) {
            throw new InvalidNameException(field, field + " '" + name
                    + "' is a reserved word in Metaflow; choose another step name");
        }
        requireMaxLength(field, name);
        return name;
    }

    /** A run or task id as it appears in a path: a number or a registered string id. */
    public static String requireObjectId(String field, String id) {
        requirePresent(field, id);
        if (id.indexOf('/') >= 0) {
            throw new InvalidNameException(field, field + " '" + shorten(id) + "' must not contain '/'");
        }
        if (!id.strip().equals(id)) {
            throw new InvalidNameException(field, field + " must not start or end with whitespace");
        }
        requireMaxLength(field, id);
        return id;
    }

    /**
     * A {@code @project} name or a {@code --branch} name: only lowercase ASCII letters, digits and underscores,
     * at most 128 characters, as Metaflow's {@code @project} decorator demands.
     */
    public static String requireProjectName(String field, String name) {
        requirePresent(field, name);
        if (!PROJECT_NAME.matcher(name).matches()) {
            throw new InvalidNameException(field, field + " '" + shorten(name) + "' is not a valid @project name:"
                    + " use only lowercase letters, digits and underscores, at most 128 characters");
        }
        return name;
    }

    public static boolean isProjectName(String name) {
        return name != null && PROJECT_NAME.matcher(name).matches();
    }

    public static boolean isPythonKeyword(String word) {
        return PYTHON_KEYWORDS.contains(word);
    }

    public static boolean isFlowName(String name) {
        return name != null && PYTHON_IDENTIFIER.matcher(name).matches() && !PYTHON_KEYWORDS.contains(name)
                && name.length() <= MAX_ID_LENGTH;
    }

    public static boolean isStepName(String name) {
        return name != null && STEP_NAME.matcher(name).matches() && !PYTHON_KEYWORDS.contains(name)
                && !RESERVED_STEP_NAMES.contains(name) && name.length() <= MAX_ID_LENGTH;
    }

    private static void requirePresent(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidNameException(field, field + " is required and must not be empty");
        }
    }

    private static void requireMaxLength(String field, String value) {
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidNameException(field, field + " is longer than " + MAX_ID_LENGTH + " characters");
        }
    }

    static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}

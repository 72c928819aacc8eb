package dev.flowgate.cli.template;

import dev.flowgate.model.naming.MetaflowNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The naming rules a new project must follow, checked before any file is written: the same rules as the
 * template's {@code hooks/pre_gen_project.py} (Metaflow's {@code @project} name rule, flow class names).
 */
final class ProjectNames {
    private record Rule(Pattern pattern, String explanation) {
    }

    private static final Map<String, Rule> RULES = Map.of(
            "team", new Rule(Pattern.compile("[a-z][a-z0-9-]{0,62}"),
                    "use lowercase letters, digits and dashes, starting with a letter (e.g. ml-platform)"),
            "project_name", new Rule(Pattern.compile("[a-z][a-z0-9_]{0,127}"),
                    "@project names use lowercase letters, digits and underscores, starting with a letter (e.g. churn_model)"),
            "flow_name", new Rule(Pattern.compile("[A-Z][A-Za-z0-9]*Flow"),
                    "a flow is a Python class in CamelCase ending in 'Flow' (e.g. ChurnTrainingFlow)"),
            "alert_channel", new Rule(Pattern.compile("#[a-z0-9][a-z0-9_-]{0,79}"),
                    "a Slack channel starts with '#' followed by lowercase letters, digits, '-' or '_' (e.g. #ml-alerts)"));

    private ProjectNames() {
    }

    /** All problems at once, in a stable order, each naming its field. */
    static List<String> problems(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        for (String field : List.of("team", "project_name", "flow_name", "alert_channel")) {
            String value = values.get(field);
            Rule rule = RULES.get(field);
            if (value == null || !rule.pattern().matcher(value).matches() || MetaflowNames.isPythonKeyword(value)) {
                problems.add(field + " '" + value + "' is invalid: " + rule.explanation());
            }
        }
        return problems;
    }
}

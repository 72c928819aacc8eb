package dev.flowgate.cli;

import dev.flowgate.cli.template.ProjectTemplate;
import dev.flowgate.cli.template.TemplateException;

import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code flowgate new-project}: renders templates/flow-project the way cookiecutter does, without Python. */
final class NewProjectCommand {
    private static final Map<String, String> OPTIONS = Map.of(
            "--team", "team", "--project-name", "project_name", "--project", "project_name",
            "--flow-name", "flow_name", "--flow", "flow_name", "--alert-channel", "alert_channel");

    static final String USAGE = """
            usage: flowgate new-project [--team T] [--project-name P] [--flow-name F] [--alert-channel C]
                                        [-o DIR] [--template DIR] [--no-input] [name=value ...]

            Creates a Metaflow project for Flowgate from templates/flow-project: flows/<flow>.py with @project,
            src/<project>/, tests/, flowgate.yaml, a Jenkinsfile and a README. Renders exactly what
            `cookiecutter templates/flow-project` renders. Asks for each value on a terminal unless --no-input;
            names are checked before anything is written.
              --team            team name, lowercase with dashes      (default ml-platform)
              --project-name    @project name, lowercase_with_underscores (default churn_model)
              --flow-name       first flow class, CamelCase ending in Flow (default ChurnTrainingFlow)
              --alert-channel   Slack channel for failure alerts      (default #ml-alerts)
              -o, --output-dir  where the project directory is created (default .)
            """;

    private NewProjectCommand() {
    }

    static int run(List<String> args, Path defaultTemplate, PrintStream out, PrintStream err) {
        Map<String, String> values = new LinkedHashMap<>();
        Path output = Path.of(".");
        Path template = defaultTemplate;
        boolean prompt = System.console() != null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                out.print(USAGE);
                return 0;
            } else if (arg.equals("--no-input")) {
                prompt = false;
            } else if (OPTIONS.containsKey(arg) || arg.equals("-o") || arg.equals("--output-dir") || arg.equals("--template")) {
                if (i + 1 >= args.size()) {
                    err.println("error: " + arg + " needs a value");
                    return 2;
                }
                String value = args.get(++i);
                switch (arg) {
                    case "-o", "--output-dir" -> output = Path.of(value);
                    case "--template" -> template = Path.of(value);
                    default -> values.put(OPTIONS.get(arg), value);
                }
            } else if (arg.contains("=") && !arg.startsWith("-")) {
                values.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else {
                err.println("error: unknown argument '" + arg + "'");
                err.print(USAGE);
                return 2;
            }
        }
        try {
            ProjectTemplate projectTemplate = ProjectTemplate.load(template);
            if (prompt) {
                askForMissing(projectTemplate, values, System.console());
            }
            Path created = projectTemplate.render(values, output);
            out.println("Created " + created);
            out.println("Next: cd " + created + " && python -m pytest   (then see its README: run, tag prod_ready, push, watch)");
            return 0;
        } catch (TemplateException e) {
            e.getMessage().lines().forEach(line -> err.println("error: " + line));
            return 2;
        }
    }

    private static void askForMissing(ProjectTemplate template, Map<String, String> values, Console console) {
        for (String name : List.of("team", "project_name", "flow_name", "alert_channel")) {
            if (!values.containsKey(name)) {
                String fallback = template.variables().get(name);
                String answer = console.readLine("%s [%s]: ", name, fallback);
                if (answer != null && !answer.isBlank()) {
                    values.put(name, answer.strip());
                }
            }
        }
    }
}

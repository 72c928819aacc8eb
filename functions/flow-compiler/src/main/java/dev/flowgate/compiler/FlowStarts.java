package dev.flowgate.compiler;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.parse.ParsedFlow;
import dev.flowgate.compiler.parse.PyExpr;
import dev.flowgate.model.naming.MetaflowNames;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.flowgate.compiler.FlowCompiler.lint;

/**
 * How a deployed flow starts by itself, read from its flow decorators with Metaflow's semantics:
 * {@code @schedule} (metaflow/plugins/aws/step_functions/schedule_decorator.py) and {@code @trigger_on_finish}
 * (metaflow/plugins/events_decorator.py, resolved against {@code @project} as Metaflow's Argo Workflows
 * integration does). Every refusal names the decorator's line and the fix.
 */
final class FlowStarts {
    private static final Pattern FLOW_NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final Set<String> TRIGGER_KEYS = Set.of("flow", "flows", "options");
    private static final Set<String> FLOW_DICT_KEYS = Set.of("name", "project", "project_branch");

    private FlowStarts() {
    }

    /**
     * {@code cron} (6-field AWS cron) wins over {@code weekly}, then {@code hourly}, then {@code daily} (the
     * default); {@code daily=False} with nothing else means no schedule, as in Metaflow. {@code timezone} must
     * be an IANA time zone name; EventBridge Scheduler evaluates the expression in it.
     */
    static Optional<CompiledFlow.Schedule> schedule(FlowGraph graph) {
        Optional<ParsedFlow.Decorator> decorator = graph.flowDecorator("schedule");
        if (decorator.isEmpty()) {
            return Optional.empty();
        }
        ParsedFlow.Decorator d = decorator.get();
        Optional<String> timezone = timezone(graph, d);
        Optional<PyExpr> cron = d.kwarg("cron").filter(v -> !(v instanceof PyExpr.None));
        String expression;
        if (cron.isPresent()) {
            if (!(cron.get() instanceof PyExpr.Str s) || s.value().isBlank()) {
                throw lint(graph, d.line(), "@schedule(cron=...) must be a string literal", "write e.g. cron=\"0 3 * * ? *\"");
            }
            int fields = s.value().trim().split("\\s+").length;
            if (fields != 6) {
                throw lint(graph, d.line(), "@schedule(cron=\"" + s.value() + "\") has " + fields + " fields; EventBridge cron"
                        + " expressions have 6 (minutes hours day-of-month month day-of-week year)", "write e.g. \"0 3 * * ? *\"");
            }
            expression = "cron(" + s.value().trim() + ")";
        } else if (isTrue(d, "weekly")) {
            expression = "cron(0 0 ? * SUN *)";
        } else if (isTrue(d, "hourly")) {
            expression = "cron(0 * * * ? *)";
        } else if (d.kwarg("daily").filter(v -> v instanceof PyExpr.Bool b && !b.value()).isPresent()) {
            return Optional.empty();
        } else {
            expression = "cron(0 0 * * ? *)";
        }
        return Optional.of(new CompiledFlow.Schedule(expression, timezone));
    }

    private static Optional<String> timezone(FlowGraph graph, ParsedFlow.Decorator d) {
        Optional<PyExpr> value = d.kwarg("timezone").filter(v -> !(v instanceof PyExpr.None));
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!(value.get() instanceof PyExpr.Str s)) {
            throw lint(graph, d.line(), "@schedule(timezone=" + value.get().source() + ") must be a string literal",
                    "write an IANA time zone name, e.g. timezone=\"Europe/Berlin\"");
        }
        String zone = s.value().trim();
        if (ZoneId.getAvailableZoneIds().contains(zone)) {
            return Optional.of(zone);
        }
        Optional<String> sameLetters = ZoneId.getAvailableZoneIds().stream()
                .filter(z -> z.equalsIgnoreCase(zone) || z.equalsIgnoreCase(zone.replace(' ', '_'))).sorted().findFirst();
        throw lint(graph, d.line(), "@schedule(timezone=\"" + s.value() + "\") is not an IANA time zone name",
                sameLetters.map(z -> "write timezone=\"" + z + "\"")
                        .orElse("write a name of the IANA time zone database such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\""
                                + " (offsets like \"+01:00\" do not follow daylight saving time)"));
    }

    private static boolean isTrue(ParsedFlow.Decorator d, String key) {
        return d.kwarg(key).filter(v -> v instanceof PyExpr.Bool b && b.value()).isPresent();
    }

    /**
     * The upstream state machines of {@code @trigger_on_finish}: {@code flow='Up'}, {@code flow='proj.branch.Up'}
     * (the branch may itself hold dots: {@code proj.test.x.Up}), {@code flow={'name': 'Up', 'project': …,
     * 'project_branch': …}} or {@code flows=[one of those]}. A bare name resolves in this deployment's
     * {@code @project} and branch; a missing project or branch of the dict form too (Metaflow's rule). With more
     * than one upstream the flow waits for all of them, as in Metaflow (the compiler puts a {@code TriggerGate} first).
     */
    static List<CompiledFlow.FinishTrigger> finishTriggers(FlowGraph graph, CompileOptions options, String ownMachine) {
        Optional<ParsedFlow.Decorator> decorator = graph.flowDecorator("trigger_on_finish");
        if (decorator.isEmpty()) {
            return List.of();
        }
        ParsedFlow.Decorator d = decorator.get();
        String example = "write e.g. @trigger_on_finish(flow=\"UpstreamFlow\")";
        if (!d.args().isEmpty()) {
            throw lint(graph, d.line(), "@trigger_on_finish takes keyword arguments only", example);
        }
        for (String key : d.kwargs().keySet()) {
            if (!TRIGGER_KEYS.contains(key)) {
                throw lint(graph, d.line(), "@trigger_on_finish has no argument '" + key + "'", example + " or flows=[...]");
            }
        }
        Optional<PyExpr> argoOptions = d.kwarg("options").filter(v -> !(v instanceof PyExpr.None));
        if (argoOptions.isPresent() && !(argoOptions.get() instanceof PyExpr.Dict dict && dict.entries().isEmpty())) {
            throw lint(graph, d.line(), "@trigger_on_finish(options=...) configures Argo Events; Step Functions has no such"
                    + " settings", "remove options=");
        }
        Optional<PyExpr> flow = d.kwarg("flow").filter(FlowStarts::given);
        Optional<PyExpr> flows = d.kwarg("flows").filter(FlowStarts::given);
        List<PyExpr> specs = new ArrayList<>();
        if (flow.isPresent() && flows.isPresent()) {
            throw lint(graph, d.line(), "@trigger_on_finish has both flow= and flows=", "keep only one of them");
        } else if (flow.isPresent()) {
            specs.add(flow.get());
        } else if (flows.isPresent()) {
            if (!(flows.get() instanceof PyExpr.Seq seq)) {
                throw lint(graph, d.line(), "@trigger_on_finish(flows=" + flows.get().source() + ") must be a list written"
                        + " in the file (Flowgate does not run the flow to compute it)", "write e.g. flows=[\"UpstreamFlow\"]");
            }
            specs.addAll(seq.items());
        } else {
            throw lint(graph, d.line(), "@trigger_on_finish names no upstream flow", example);
        }
        Optional<FlowCompiler.ProjectBranch> current = FlowCompiler.projectBranch(graph, options);
        List<CompiledFlow.FinishTrigger> triggers = new ArrayList<>();
        for (PyExpr spec : specs) {
            CompiledFlow.FinishTrigger trigger = resolve(graph, d, options, spec, current);
            if (trigger.stateMachineName().equals(ownMachine)) {
                throw lint(graph, d.line(), "@trigger_on_finish names this flow itself (" + ownMachine + "): every run would"
                        + " start the next, forever", "name the upstream flow this flow should follow");
            }
            triggers.add(trigger);
        }
        return triggers;
    }

    private static boolean given(PyExpr value) {
        return !(value instanceof PyExpr.None) && !(value instanceof PyExpr.Seq seq && seq.items().isEmpty())
                && !(value instanceof PyExpr.Str s && s.value().isEmpty());
    }

    private static CompiledFlow.FinishTrigger resolve(FlowGraph graph, ParsedFlow.Decorator d, CompileOptions options,
                                                      PyExpr spec, Optional<FlowCompiler.ProjectBranch> current) {
        String flowName;
        Optional<String> project = Optional.empty();
        Optional<String> branch = Optional.empty();
        if (spec instanceof PyExpr.Str s) {
            String fq = s.value().trim();
            long dots = fq.chars().filter(c -> c == '.').count();
            if (dots == 0) {
                flowName = fq;
            } else if (dots >= 2) {
                project = Optional.of(fq.substring(0, fq.indexOf('.')));
                String tail = fq.substring(fq.indexOf('.') + 1);
                branch = Optional.of(tail.substring(0, tail.lastIndexOf('.')));
                flowName = tail.substring(tail.lastIndexOf('.') + 1);
            } else {
                throw lint(graph, d.line(), "@trigger_on_finish(flow=\"" + fq + "\") is neither a flow name nor"
                        + " project.branch.FlowName", "write the flow name alone, e.g. \"UpstreamFlow\", or fully qualified, e.g."
                        + " \"my_project.prod.UpstreamFlow\"");
            }
        } else if (spec instanceof PyExpr.Dict dict) {
            Map<String, String> keys = new java.util.LinkedHashMap<>();
            for (Map.Entry<PyExpr, PyExpr> e : dict.entries().entrySet()) {
                if (!(e.getKey() instanceof PyExpr.Str k) || !FLOW_DICT_KEYS.contains(k.value())) {
                    throw lint(graph, d.line(), "@trigger_on_finish: the key " + e.getKey().source() + " is not one of 'name',"
                            + " 'project', 'project_branch'", "write e.g. {\"name\": \"UpstreamFlow\", \"project\": \"my_project\","
                            + " \"project_branch\": \"prod\"}");
                }
                if (!(e.getValue() instanceof PyExpr.Str v)) {
                    throw lint(graph, d.line(), "@trigger_on_finish: '" + k.value() + "' must be a string literal, not "
                            + e.getValue().source(), "write the value in quotes");
                }
                keys.put(k.value(), v.value());
            }
            if (!keys.containsKey("name")) {
                throw lint(graph, d.line(), "@trigger_on_finish: the flow " + dict.source() + " has no 'name'",
                        "add \"name\": \"UpstreamFlow\"");
            }
            flowName = keys.get("name");
            if (flowName.contains(".")) {
                throw lint(graph, d.line(), "@trigger_on_finish: 'name' must be a flow name without dots, not \"" + flowName + "\"",
                        "put the project and branch under 'project' and 'project_branch'");
            }
            project = Optional.ofNullable(keys.get("project"));
            branch = Optional.ofNullable(keys.get("project_branch"));
        } else {
            throw lint(graph, d.line(), "@trigger_on_finish: " + spec.source() + " is not a flow name or a dict written in the"
                    + " file (Flowgate does not run the flow to compute it)", "write e.g. flow=\"UpstreamFlow\"");
        }
        if (!FLOW_NAME.matcher(flowName).matches()) {
            throw lint(graph, d.line(), "@trigger_on_finish: \"" + flowName + "\" is not a flow name (letters, digits and"
                    + " underscores only)", "write the upstream FlowSpec class name, e.g. \"UpstreamFlow\"");
        }
        // as Metaflow (Argo): what the trigger does not say comes from this deployment's @project and branch
        project = project.or(() -> current.map(FlowCompiler.ProjectBranch::project));
        branch = branch.or(() -> current.map(FlowCompiler.ProjectBranch::branch));
        if (project.isPresent() != branch.isPresent()) {
            throw lint(graph, d.line(), "@trigger_on_finish: the upstream " + flowName + " has a "
                    + (project.isPresent() ? "project but no branch" : "branch but no project"),
                    "give both 'project' and 'project_branch', or add @project to this flow");
        }
        if (project.isPresent() && !MetaflowNames.isProjectName(project.get())) {
            throw lint(graph, d.line(), "@trigger_on_finish: the project '" + project.get() + "' may only hold lowercase"
                    + " letters, digits and underscores", "write the @project name of the upstream flow");
        }
        if (branch.isPresent() && !branch.get().matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
            throw lint(graph, d.line(), "@trigger_on_finish: the branch '" + branch.get() + "' is not a Metaflow branch",
                    "write e.g. \"prod\", \"prod.staging\", \"test.my_branch\" or \"user.alice\"");
        }
        String machine = FlowCompiler.machineName(graph, d.line(), options, project, branch, flowName,
                "the upstream flow cannot be deployed under that name; check its name");
        return new CompiledFlow.FinishTrigger(flowName, project, branch, machine);
    }

    /**
     * As Metaflow: a flow started by a schedule (or here also by an upstream flow) gets no parameter values, so a
     * required {@code Parameter} without a default cannot be deployed that way.
     */
    static void refuseRequiredParametersWithoutDefault(FlowGraph graph, boolean scheduled) {
        for (ParsedFlow.ParameterDef p : graph.parameters()) {
            if (p.kind().equals("Parameter") && p.required() && p.defaultValue().isEmpty()) {
                String starter = scheduled ? "@schedule" : "@trigger_on_finish";
                throw lint(graph, p.line(), "the parameter '" + p.name() + "' is required and has no default, but " + starter
                        + " starts the flow without parameter values", "give it a default, e.g. Parameter(\"" + p.name()
                        + "\", default=...)");
            }
        }
    }
}

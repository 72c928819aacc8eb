package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.compiler.graph.StepNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Walks a compiled state machine the way Step Functions passes data between states (Parameters, ResultSelector,
 * ResultPath, OutputPath, Parallel arrays, Map items), with every Batch job replaced by a stand-in that succeeds
 * with a job id naming its step ({@code <step>#<n>}), every foreach of two items and every switch taking its first
 * case. A path that does not exist in a state's input fails as Step Functions fails it ({@code States.Runtime}).
 * Each Batch job's resolved environment and job parameters are checked against the bookkeeping Metaflow needs:
 * the execution's run id, the job id of the enclosing foreach step for every split parent, parents that are tasks
 * of the step's own predecessors.
 */
final class DataFlowInterpreter {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String EXECUTION = "exec-1";
    private static final String SWITCH_ATTRIBUTE = "switch_next_step";

    /** A path of the definition that does not resolve against the state's actual input. */
    static final class StatesRuntime extends RuntimeException {
        StatesRuntime(String message) {
            super("States.Runtime: " + message);
        }
    }

    /** One Batch job as it was submitted: its step, id, resolved environment and job parameters. */
    record Job(String step, String jobId, Map<String, String> env, Map<String, String> parameters) {
    }

    private final FlowGraph graph;
    private final List<Job> jobs = new ArrayList<>();
    private int counter;

    DataFlowInterpreter(FlowGraph graph) {
        this.graph = graph;
    }

    /** Runs the definition; returns the jobs in order. Throws {@link StatesRuntime} or an AssertionError. */
    List<Job> run(JsonNode definition) {
        ObjectNode input = NODES.objectNode().put("Parameters", "{}");
        machine(definition, input, new HashMap<>(), NODES.objectNode());
        return jobs;
    }

    /** {@code scope}: foreach step name → the job id of that foreach step enclosing this point of the run. */
    private JsonNode machine(JsonNode machine, JsonNode input, Map<String, String> scope, ObjectNode context) {
        String name = machine.get("StartAt").asText();
        JsonNode data = input;
        while (true) {
            JsonNode state = machine.get("States").get(name);
            String type = state.get("Type").asText();
            String next = state.path("Next").asText(null);
            switch (type) {
                case "Succeed" -> {
                    return data;
                }
                case "Fail" -> throw new AssertionError("the run failed in " + name);
                case "Choice" -> {
                    next = state.path("Default").asText(null);
                    for (JsonNode rule : state.get("Choices")) {
                        JsonNode value = get(data, rule.get("Variable").asText(), context, name);
                        if (value.asText().equals(rule.path("StringEquals").asText(null))) {
                            next = rule.get("Next").asText();
                            break;
                        }
                    }
                }
                default -> data = output(name, state, data, scope, context);
            }
            if (next == null || state.path("End").asBoolean(false)) {
                return data;
            }
            name = next;
        }
    }

    private JsonNode output(String name, JsonNode state, JsonNode data, Map<String, String> scope, ObjectNode context) {
        String type = state.get("Type").asText();
        JsonNode result;
        switch (type) {
            case "Pass" -> result = state.has("Result") ? state.get("Result") : data;
            case "Task" -> result = task(name, state, resolve(state.get("Parameters"), data, context, name), scope);
            case "Parallel" -> {
                ArrayNode outputs = NODES.arrayNode();
                for (JsonNode branch : state.get("Branches")) {
                    outputs.add(machine(branch, data.deepCopy(), new HashMap<>(scope), context));
                }
                result = outputs;
            }
            case "Map" -> result = map(name, state, data, scope, context);
            default -> throw new AssertionError("state type " + type + " of " + name + " is not modelled");
        }
        if (state.has("ResultSelector")) {
            result = resolve(state.get("ResultSelector"), result, context, name);
        }
        JsonNode output = put(data, state.has("ResultPath") ? state.get("ResultPath") : NODES.textNode("$"), result);
        if (state.has("OutputPath")) {
            output = state.get("OutputPath").isNull() ? NODES.objectNode() : get(output, state.get("OutputPath").asText(), context, name);
        }
        return output;
    }

    private JsonNode map(String name, JsonNode state, JsonNode data, Map<String, String> scope, ObjectNode context) {
        JsonNode items = get(data, state.get("ItemsPath").asText(), context, name);
        JsonNode processor = state.has("ItemProcessor") ? state.get("ItemProcessor") : state.get("Iterator");
        JsonNode template = state.has("ItemSelector") ? state.get("ItemSelector") : state.get("Parameters");
        ArrayNode outputs = NODES.arrayNode();
        int index = 0;
        for (JsonNode item : items) {
            ObjectNode itemContext = context.deepCopy();
            itemContext.putObject("Map").putObject("Item").put("Index", index++).set("Value", item);
            JsonNode itemInput = template == null ? item : resolve(template, data, itemContext, name);
            // a Distributed Map's child execution has an execution name of its own
            ObjectNode childContext = itemContext;
            if ("DISTRIBUTED".equals(processor.path("ProcessorConfig").path("Mode").asText())) {
                childContext = itemContext.deepCopy();
                childContext.putObject("Execution").put("Name", "child-" + index);
            }
            outputs.add(machine(processor, itemInput, new HashMap<>(scope), childContext));
        }
        return outputs;
    }

    private JsonNode task(String name, JsonNode state, JsonNode parameters, Map<String, String> scope) {
        String resource = state.get("Resource").asText();
        if (resource.endsWith(":dynamodb:getItem")) {
            String projection = parameters.get("ProjectionExpression").asText();
            ObjectNode item = NODES.objectNode();
            if (projection.equals("for_each_cardinality")) {
                item.putObject("for_each_cardinality").putArray("NS").add("0").add("1");
            } else if (projection.equals(SWITCH_ATTRIBUTE)) {
                String step = parameters.get("Key").get("pathspec").get("S").asText().split("#")[0];
                item.putObject(SWITCH_ATTRIBUTE).put("S", graph.step(step).outFuncs().get(0));
            } else {
                throw new AssertionError("getItem of " + projection + " in " + name + " is not modelled");
            }
            ObjectNode result = NODES.objectNode();
            result.set("Item", item);
            return result;
        }
        if (!resource.endsWith(":batch:submitJob.sync")) {
            throw new AssertionError("resource " + resource + " of " + name + " is not modelled");
        }
        String jobId = name + "#" + (++counter);
        Map<String, String> env = new HashMap<>();
        List<JsonNode> overrides = new ArrayList<>();
        if (parameters.has("ContainerOverrides")) {
            overrides.add(parameters.get("ContainerOverrides"));
        }
        parameters.path("NodeOverrides").path("NodePropertyOverrides").forEach(o -> overrides.add(o.get("ContainerOverrides")));
        for (JsonNode override : overrides) {
            override.path("Environment").forEach(e -> env.put(e.get("Name").asText(), e.get("Value").asText()));
        }
        Map<String, String> jobParameters = new HashMap<>();
        parameters.path("Parameters").fields().forEachRemaining(e -> jobParameters.put(e.getKey(), e.getValue().asText()));
        check(graph.step(name), env, jobParameters, scope);
        if (graph.step(name).type() == NodeType.FOREACH) {
            scope.put(name, jobId);
        }
        jobs.add(new Job(name, jobId, env, jobParameters));
        ObjectNode result = NODES.objectNode().put("JobId", jobId);
        result.set("Parameters", parameters.path("Parameters").deepCopy());
        return result;
    }

    private void check(StepNode node, Map<String, String> env, Map<String, String> parameters, Map<String, String> scope) {
        String where = "step " + node.name() + ": ";
        if (!node.name().equals(graph.start().name())) {
            if (!env.get("METAFLOW_RUN_ID").equals(EXECUTION)) {
                throw new AssertionError(where + "METAFLOW_RUN_ID is " + env.get("METAFLOW_RUN_ID") + ", not the execution's");
            }
        }
        parameters.forEach((key, value) -> {
            if (key.startsWith("split_parent_task_id_")) {
                expect(where + key, value, scope.get(key.substring("split_parent_task_id_".length())));
            }
        });
        String bodyEndOf = forEachJoinAfter(node);
        if (bodyEndOf != null) {
            expect(where + "METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN", env.get("METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN"),
                    scope.get(bodyEndOf));
        }
        if (node.type() == NodeType.JOIN && env.containsKey("METAFLOW_SPLIT_PARENT_TASK_ID")) {
            String foreach = node.splitParents().get(node.splitParents().size() - 1);
            expect(where + "METAFLOW_SPLIT_PARENT_TASK_ID", env.get("METAFLOW_SPLIT_PARENT_TASK_ID"), scope.get(foreach));
        }
        if (env.containsKey("METAFLOW_PARENT_TASK_ID") && !node.has("parallel")) {
            String parentStep = env.get("METAFLOW_PARENT_TASK_ID").split("#")[0];
            if (!node.inFuncs().contains(parentStep)) {
                throw new AssertionError(where + "METAFLOW_PARENT_TASK_ID " + env.get("METAFLOW_PARENT_TASK_ID")
                        + " is no task of " + node.inFuncs());
            }
            if (env.containsKey("METAFLOW_PARENT_STEP")) {
                expect(where + "METAFLOW_PARENT_STEP", env.get("METAFLOW_PARENT_STEP"), parentStep);
            }
        }
        for (int i = 0; env.containsKey("METAFLOW_PARENT_" + i + "_TASK_ID"); i++) {
            String step = env.get("METAFLOW_PARENT_" + i + "_STEP");
            if (!node.inFuncs().contains(step) || !env.get("METAFLOW_PARENT_" + i + "_TASK_ID").startsWith(step + "#")) {
                throw new AssertionError(where + "parent " + i + " is " + step + "/" + env.get("METAFLOW_PARENT_" + i + "_TASK_ID"));
            }
        }
    }

    private static void expect(String what, String actual, String expected) {
        if (expected == null || !expected.equals(actual)) {
            throw new AssertionError(what + " is " + actual + ", expected " + expected);
        }
    }

    /** The foreach whose join directly follows this step, else null. */
    private String forEachJoinAfter(StepNode node) {
        if (node.outFuncs().size() != 1 || node.type() == NodeType.END) {
            return null;
        }
        StepNode next = graph.step(node.outFuncs().get(0));
        if (next.type() != NodeType.JOIN || next.splitParents().isEmpty()) {
            return null;
        }
        String split = next.splitParents().get(next.splitParents().size() - 1);
        return graph.step(split).type() == NodeType.FOREACH ? split : null;
    }

    // --- JSONPath: $, $.a.b, $[0].a, $$.Execution.Name, $$.Map.Item.Value -------------------------------------

    private JsonNode resolve(JsonNode template, JsonNode data, ObjectNode context, String state) {
        if (template == null) {
            return data;
        }
        if (template.isObject()) {
            ObjectNode resolved = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = template.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().endsWith(".$")) {
                    String key = field.getKey().substring(0, field.getKey().length() - 2);
                    resolved.set(key, get(data, field.getValue().asText(), context, state));
                } else {
                    resolved.set(field.getKey(), resolve(field.getValue(), data, context, state));
                }
            }
            return resolved;
        }
        if (template.isArray()) {
            ArrayNode resolved = NODES.arrayNode();
            template.forEach(t -> resolved.add(resolve(t, data, context, state)));
            return resolved;
        }
        return template;
    }

    private JsonNode get(JsonNode data, String path, ObjectNode context, String state) {
        JsonNode value = data;
        String rest = path;
        if (path.startsWith("$$.Execution.Name")) {
            return NODES.textNode(context.path("Execution").path("Name").asText(EXECUTION));
        }
        if (path.startsWith("$$")) {
            value = context;
            rest = path.substring(1);
        }
        if (path.startsWith("States.")) {
            throw new AssertionError(state + ": intrinsic functions are not modelled: " + path);
        }
        int i = 1;
        while (i < rest.length()) {
            if (rest.charAt(i) == '.') {
                int j = i + 1;
                while (j < rest.length() && rest.charAt(j) != '.' && rest.charAt(j) != '[') {
                    j++;
                }
                value = value.isObject() ? value.get(rest.substring(i + 1, j)) : null;
                i = j;
            } else if (rest.charAt(i) == '[') {
                int j = rest.indexOf(']', i);
                value = value.isArray() ? value.get(Integer.parseInt(rest.substring(i + 1, j))) : null;
                i = j + 1;
            } else {
                throw new AssertionError(state + ": unsupported path " + path);
            }
            if (value == null) {
                throw new StatesRuntime(state + ": the path " + path + " does not exist in the input");
            }
        }
        return value;
    }

    private static JsonNode put(JsonNode data, JsonNode resultPath, JsonNode result) {
        if (resultPath.isNull()) {
            return data;
        }
        String path = resultPath.asText();
        if (path.equals("$")) {
            return result;
        }
        ObjectNode output = data.deepCopy();
        ObjectNode target = output;
        String[] keys = path.substring(2).split("\\.");
        for (int i = 0; i < keys.length - 1; i++) {
            target = target.has(keys[i]) ? (ObjectNode) target.get(keys[i]) : target.putObject(keys[i]);
        }
        target.set(keys[keys.length - 1], result);
        return output;
    }
}

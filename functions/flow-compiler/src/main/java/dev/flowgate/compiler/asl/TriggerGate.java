package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flowgate.compiler.CompiledFlow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first states of a flow with {@code @trigger_on_finish}. They set {@code current.trigger}: when an upstream's
 * success started the execution (its ARNs in {@code $.flowgate_trigger}, written by the EventBridge rule), the start
 * step gets Metaflow's own top-level option {@code --trigger <UpstreamFlow>/sfn-<upstream execution>}, which makes
 * {@code current.trigger.run} the upstream run, as Metaflow's {@code --trigger} does when testing locally; any other
 * start gets an empty option. With {@code flows=[A, B, …]}, as in Metaflow, the flow starts once <em>every</em>
 * upstream flow has finished successfully since it last started. Each upstream's success starts the state machine (one EventBridge
 * rule, the upstream's ARN in {@code $.flowgate_trigger}); these first states count the distinct upstreams seen in
 * one DynamoDB item (an atomic {@code ADD} to a string set), end the execution at once while some are missing
 * ({@value #WAITING}, no Metaflow run), and when all are there delete the item — conditionally, so two upstreams
 * finishing together start the flow once — and go on to the flow's first state. An execution started any other way
 * (console, CLI, schedule) has no {@code flowgate_trigger} and runs the flow directly.
 */
public final class TriggerGate {
    static final String ENTRY = "trigger_on_finish?";
    static final String RECORD = "trigger_on_finish:record";
    static final String ALL_FINISHED = "trigger_on_finish:all_finished?";
    static final String WAITING = "trigger_on_finish:waiting";
    static final String RESET = "trigger_on_finish:reset";
    static final String FROM = "trigger_on_finish:from:";
    static final String UNTRIGGERED = "trigger_on_finish:none";
    /** Where the start step's {@code --trigger} option is kept ({@code .option}, a string, a blank when untriggered). */
    public static final String OPTION_PATH = "$.flowgate_trigger_option";

    private TriggerGate() {
    }

    /** The definition with these states in front of its first state. */
    public static ObjectNode wrap(ObjectNode definition, String stateMachineName, List<CompiledFlow.FinishTrigger> upstreams,
                                  Optional<String> table, String partition) {
        String flowStart = definition.get("StartAt").asText();
        ObjectNode states = (ObjectNode) definition.get("States");
        Map<String, ObjectNode> gate = new LinkedHashMap<>();
        String afterTrigger = upstreams.size() > 1 ? RECORD : flowStart;

        ObjectNode entry = definition.objectNode().put("Type", "Choice");
        gate.put(ENTRY, entry);
        ArrayNode choices = entry.putArray("Choices");
        for (int i = 0; i < upstreams.size(); i++) {
            CompiledFlow.FinishTrigger upstream = upstreams.get(i);
            String from = stateName(FROM + upstream.stateMachineName(), i, gate);
            ObjectNode rule = choices.addObject();
            ArrayNode and = rule.putArray("And");
            and.addObject().put("Variable", "$.flowgate_trigger.upstream_execution_arn").put("IsPresent", true);
            and.addObject().put("Variable", "$.flowgate_trigger.upstream_state_machine_arn")
                    .put("StringMatches", "*:stateMachine:" + upstream.stateMachineName());
            rule.put("Next", from);
            // arn:<partition>:states:<region>:<account>:execution:<state machine>:<execution name> → item 7
            ObjectNode option = definition.objectNode().put("Type", "Pass");
            option.putObject("Parameters").put("option.$", "States.Format('--trigger " + upstream.flow()
                    + "/sfn-{}', States.ArrayGetItem(States.StringSplit($.flowgate_trigger.upstream_execution_arn, ':'), 7))");
            option.put("ResultPath", OPTION_PATH);
            option.put("Next", afterTrigger);
            gate.put(from, option);
        }
        entry.put("Default", UNTRIGGERED);
        ObjectNode untriggered = definition.objectNode().put("Type", "Pass");
        // a blank, not "": it rides in Batch job parameters, and the shell drops it from the command line
        untriggered.putObject("Result").put("option", " ");
        untriggered.put("ResultPath", OPTION_PATH);
        untriggered.put("Next", flowStart);
        gate.put(UNTRIGGERED, untriggered);
        if (upstreams.size() > 1) {
            countUpstreams(definition, gate, stateMachineName, upstreams.size(), table.orElseThrow(), partition, flowStart);
        }
        return prepend(definition, states, gate);
    }

    /** Several upstreams: count them in DynamoDB; go on only when all have finished. */
    private static void countUpstreams(ObjectNode definition, Map<String, ObjectNode> gate, String stateMachineName,
                                       int upstreams, String table, String partition, String flowStart) {
        ObjectNode record = task(definition, partition, "updateItem", table, stateMachineName);
        ObjectNode parameters = (ObjectNode) record.get("Parameters");
        parameters.put("UpdateExpression", "ADD finished :upstream");
        parameters.putObject("ExpressionAttributeValues").putObject(":upstream")
                .put("SS.$", "States.Array($.flowgate_trigger.upstream_state_machine_arn)");
        parameters.put("ReturnValues", "ALL_NEW");
        record.putObject("ResultSelector").put("finished.$", "States.ArrayLength($.Attributes.finished.SS)");
        record.put("ResultPath", "$.trigger_on_finish");
        record.put("Next", ALL_FINISHED);
        gate.put(RECORD, record);

        ObjectNode allFinished = definition.objectNode().put("Type", "Choice");
        allFinished.putArray("Choices").addObject().put("Variable", "$.trigger_on_finish.finished")
                .put("NumericGreaterThanEquals", upstreams).put("Next", RESET);
        allFinished.put("Default", WAITING);
        gate.put(ALL_FINISHED, allFinished);

        gate.put(WAITING, definition.objectNode().put("Type", "Succeed")
                .put("Comment", "not every upstream flow has finished since the last run"));

        ObjectNode reset = task(definition, partition, "deleteItem", table, stateMachineName);
        ((ObjectNode) reset.get("Parameters")).put("ConditionExpression", "attribute_exists(finished)");
        reset.putNull("ResultPath");
        ArrayNode catches = reset.putArray("Catch");
        ObjectNode raced = catches.addObject();
        raced.putArray("ErrorEquals").add("DynamoDB.ConditionalCheckFailedException");
        raced.putNull("ResultPath");
        raced.put("Next", WAITING);
        reset.put("Next", flowStart);
        gate.put(RESET, reset);
    }

    /** Step Functions allows state names of at most 80 characters; long or repeated ones get a numbered cut. */
    private static String stateName(String name, int index, Map<String, ObjectNode> taken) {
        return name.length() <= 80 && !taken.containsKey(name) ? name
                : name.substring(0, Math.min(name.length(), 72)) + "#" + (index + 1);
    }

    private static ObjectNode prepend(ObjectNode definition, ObjectNode states, Map<String, ObjectNode> gate) {
        ObjectNode wrapped = definition.objectNode();
        definition.fields().forEachRemaining(e -> {
            if (e.getKey().equals("StartAt")) {
                wrapped.put("StartAt", ENTRY);
            } else if (!e.getKey().equals("States")) {
                wrapped.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode allStates = wrapped.putObject("States");
        gate.forEach(allStates::set);
        states.fields().forEachRemaining(e -> allStates.set(e.getKey(), e.getValue()));
        return wrapped;
    }

    private static ObjectNode task(ObjectNode factory, String partition, String action, String table, String stateMachineName) {
        ObjectNode task = factory.objectNode().put("Type", "Task")
                .put("Resource", "arn:" + partition + ":states:::dynamodb:" + action);
        ObjectNode parameters = task.putObject("Parameters");
        parameters.put("TableName", table);
        parameters.putObject("Key").putObject("pathspec").put("S", "trigger_on_finish#" + stateMachineName);
        return task;
    }
}

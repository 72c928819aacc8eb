package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs compiled foreach flows in moto's Step Functions interpreter to show that every step, inside inline or
 * Distributed Map splits (child executions), receives the run id and the split-parent ids Metaflow's runtime
 * needs — in particular that a join after a Distributed Map, which reads the foreach step's output instead of
 * the first split's ({@code $[0]}), finds exactly the splits of its own foreach.
 *
 * <p>Batch cannot run here, so each Batch task is replaced by a stand-in container: a Pass state returning what
 * {@code batch:submitJob.sync} + the ResultSelector return ({@code JobId} — a fresh UUID — and the job
 * {@code Parameters} as Step Functions resolved them) plus the resolved {@code Value.$} environment, then a
 * DynamoDB {@code putItem} recording what that container saw. A foreach step's stand-in also writes its
 * cardinality (3) and a switch step's the chosen case, as Metaflow's {@code step_functions_internal} decorator
 * and Flowgate's switch record do; the compiled DynamoDB {@code getItem}, Map, Parallel and Choice states run
 * unchanged. A join's container finds its parents by the split-parent id its body ends registered
 * ({@code METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN}), so that is what the assertions follow.
 */
@ExtendWith(AwsEmulatorExtension.class)
class ForeachDataFlowOnEmulatorIT {
    private static final String TABLE = "sfn-foreach";
    private static final int CARDINALITY = 3;
    private static final String PUT_ITEM = "arn:aws:states:::dynamodb:putItem";

    /** What one stand-in container saw. */
    record Observed(String step, String jobId, Map<String, String> env, Map<String, String> parameters) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"distributed_foreach_flow.py", "distributed_nested_foreach_flow.py", "foreach_flow.py"})
    void everyJoin_findsTheSplitsOfItsOwnForeach_andEveryStepTheRunId(String file, AwsEmulator emulator) throws Exception {
        Path flow = CorpusGoldenTest.CORPUS.resolve(file);
        FlowGraph graph = FlowCompiler.parse(file, Files.readString(flow));
        List<Observed> seen = run(emulator, graph, CorpusGoldenTest.options(flow), file.replace("_", "-").replace(".py", ""));
        assertForeachBookkeeping(graph, seen);
    }

    @Test
    void nestedForeach_inlineAndDistributed_runTheSameTasksWithTheSameBookkeeping(AwsEmulator emulator) throws Exception {
        Path flow = CorpusGoldenTest.CORPUS.resolve("distributed_nested_foreach_flow.py");
        FlowGraph graph = FlowCompiler.parse(flow.getFileName().toString(), Files.readString(flow));
        CompileOptions distributed = CorpusGoldenTest.options(flow);
        assertThat(distributed.distributedMap()).isTrue();
        List<Observed> viaDistributed = run(emulator, graph, distributed, "nested-distributed");
        List<Observed> viaInline = run(emulator, graph, distributed.toBuilder().distributedMap(false).build(), "nested-inline");
        assertForeachBookkeeping(graph, viaDistributed);
        assertForeachBookkeeping(graph, viaInline);
        Map<String, Long> expected = Map.of("start", 1L, "region", 3L, "store", 9L, "stores_done", 3L, "summarize", 3L,
                "regions_done", 1L, "end", 1L);
        assertThat(countByStep(viaDistributed)).isEqualTo(expected);
        assertThat(countByStep(viaInline)).isEqualTo(expected);
    }

    private static Map<String, Long> countByStep(List<Observed> seen) {
        return seen.stream().collect(Collectors.groupingBy(Observed::step, Collectors.counting()));
    }

    /** The invariants Metaflow's runtime relies on, checked on what the containers saw. */
    private static void assertForeachBookkeeping(FlowGraph graph, List<Observed> seen) {
        String executionName = seen.stream().filter(o -> o.step().equals(graph.start().name())).findFirst().orElseThrow()
                .env().get("METAFLOW_RUN_ID");
        assertThat(seen).allSatisfy(o -> {
            assertThat(o.env()).as("%s sees the run id", o.step()).containsEntry("METAFLOW_RUN_ID", executionName);
            assertThat(o.parameters()).as("%s carries the run id", o.step()).containsEntry("run_id", executionName)
                    .containsEntry("metaflow.run_id", executionName);
        });
        Map<String, List<Observed>> byStep = seen.stream().collect(Collectors.groupingBy(Observed::step));
        boolean anyForeach = false;
        for (StepNode join : graph.steps().values()) {
            if (join.type() != NodeType.JOIN || join.splitParents().isEmpty()) {
                continue;
            }
            String foreach = join.splitParents().get(join.splitParents().size() - 1);
            if (graph.step(foreach).type() != NodeType.FOREACH) {
                continue;
            }
            anyForeach = true;
            Set<String> foreachJobs = byStep.get(foreach).stream().map(Observed::jobId).collect(Collectors.toSet());
            List<Observed> joins = byStep.get(join.name());
            assertThat(joins.stream().map(j -> j.env().get("METAFLOW_SPLIT_PARENT_TASK_ID")).toList())
                    .as("each run of %s joins one run of %s", join.name(), foreach)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(foreachJobs);
            for (Observed j : joins) {
                String splitParent = j.env().get("METAFLOW_SPLIT_PARENT_TASK_ID");
                long registered = seen.stream().filter(o -> splitParent.equals(o.env().get("METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN")))
                        .filter(o -> join.inFuncs().contains(o.step())).count();
                assertThat(registered).as("%s (split parent %s) finds the last step of each of its %d splits", join.name(),
                        splitParent, CARDINALITY).isEqualTo(CARDINALITY);
            }
            String firstInBody = graph.step(foreach).outFuncs().get(0);
            for (Observed split : byStep.get(firstInBody)) {
                assertThat(foreachJobs).contains(split.env().get("METAFLOW_PARENT_TASK_ID"), split.parameters().get("split_parent_task_id_" + foreach));
            }
            Map<String, Long> indexes = byStep.get(firstInBody).stream()
                    .collect(Collectors.groupingBy(o -> o.env().get("METAFLOW_SPLIT_INDEX"), Collectors.counting()));
            assertThat(indexes).as("split indexes of %s", firstInBody).containsOnlyKeys("0", "1", "2")
                    .allSatisfy((index, count) -> assertThat(count).isEqualTo((long) foreachJobs.size()));
        }
        assertThat(anyForeach).isTrue();
    }

    private static List<Observed> run(AwsEmulator emulator, FlowGraph graph, CompileOptions options, String name) throws Exception {
        assertThat(emulator.kind()).as("moto interprets state machines").isIn("moto", "external");
        enableExecution(emulator);
        ObjectNode definition = (ObjectNode) FlowgateJson.parse(FlowCompiler.compile(graph, options).definitionJson());
        standInContainers(graph, (ObjectNode) definition.get("States"));
        try (SfnClient sfn = emulator.settings().configure(SfnClient.builder());
             DynamoDbClient dynamo = emulator.settings().configure(DynamoDbClient.builder())) {
            if (!dynamo.listTables().tableNames().contains(TABLE)) {
                dynamo.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(k -> k.attributeName("pathspec").keyType(KeyType.HASH))
                        .attributeDefinitions(a -> a.attributeName("pathspec").attributeType(ScalarAttributeType.S)));
            }
            String machine = sfn.createStateMachine(r -> r.name(AwsEmulator.uniqueName(name)).definition(FlowgateJson.write(definition))
                    .roleArn("arn:aws:iam::123456789012:role/sfn")).stateMachineArn();
            String executionName = AwsEmulator.uniqueName("run");
            String execution = sfn.startExecution(r -> r.stateMachineArn(machine).name(executionName).input("{\"Parameters\": {}}")).executionArn();
            DescribeExecutionResponse done = null;
            for (int i = 0; i < 600; i++) {
                done = sfn.describeExecution(r -> r.executionArn(execution));
                if (done.status() != ExecutionStatus.RUNNING) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(done.status()).as("%s: %s %s", name, done.error(), done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            List<Observed> seen = new ArrayList<>();
            for (Map<String, AttributeValue> item : dynamo.scanPaginator(r -> r.tableName(TABLE)).items()) {
                String key = item.get("pathspec").s();
                if (key.startsWith("observed#") && executionName.equals(item.get("execution").s())) {
                    seen.add(new Observed(item.get("step").s(), key.substring("observed#".length()),
                            strings(item.get("env").s()), strings(item.get("parameters").s())));
                }
            }
            return seen;
        }
    }

    private static Map<String, String> strings(String json) {
        Map<String, String> out = new HashMap<>();
        FlowgateJson.parse(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Replaces every Batch task (also inside Map, Parallel) by the stand-in container chain described above. */
    private static void standInContainers(FlowGraph graph, ObjectNode states) {
        Map<String, ObjectNode> replaced = new LinkedHashMap<>();
        states.fields().forEachRemaining(entry -> {
            ObjectNode state = (ObjectNode) entry.getValue();
            String type = state.path("Type").asText();
            if (type.equals("Map")) {
                standInContainers(graph, (ObjectNode) state.path(state.has("ItemProcessor") ? "ItemProcessor" : "Iterator").get("States"));
            } else if (type.equals("Parallel")) {
                state.get("Branches").forEach(branch -> standInContainers(graph, (ObjectNode) branch.get("States")));
            } else if (type.equals("Task") && state.path("Resource").asText().endsWith("batch:submitJob.sync")) {
                replaced.putAll(standIn(graph.step(entry.getKey()), state));
            }
        });
        replaced.forEach(states::set);
    }

    private static Map<String, ObjectNode> standIn(StepNode step, ObjectNode task) {
        JsonNode parameters = task.get("Parameters");
        ObjectNode container = FlowgateJson.mapper().createObjectNode();
        container.put("Type", "Pass");
        ObjectNode result = container.putObject("Parameters");
        result.put("JobId.$", "States.UUID()");
        result.put("Step", step.name());
        result.set("Parameters", parameters.get("Parameters"));
        ObjectNode env = result.putObject("Env");
        JsonNode overrides = parameters.has("ContainerOverrides") ? parameters.get("ContainerOverrides")
                : parameters.get("NodeOverrides").get("NodePropertyOverrides").get(0).get("ContainerOverrides");
        overrides.get("Environment").forEach(e -> {
            if (e.has("Value.$")) {
                env.put(e.get("Name").asText() + ".$", e.get("Value.$").asText());
            }
        });
        Map<String, ObjectNode> chain = new LinkedHashMap<>();
        chain.put(step.name(), container);
        ObjectNode observed = putItem(chain, step.name() + "~observed");
        observed.putObject("pathspec").put("S.$", "States.Format('observed#{}', $.JobId)");
        observed.putObject("step").put("S.$", "$.Step");
        observed.putObject("execution").put("S.$", "$.Parameters.run_id");
        observed.putObject("env").put("S.$", "States.JsonToString($.Env)");
        observed.putObject("parameters").put("S.$", "States.JsonToString($.Parameters)");
        if (step.type() == NodeType.FOREACH) {
            ObjectNode cardinality = putItem(chain, step.name() + "~cardinality");
            cardinality.putObject("pathspec").put("S.$", "$.JobId");
            var numbers = cardinality.putObject("for_each_cardinality").putArray("NS");
            for (int i = 0; i < CARDINALITY; i++) {
                numbers.add(Integer.toString(i));
            }
        } else if (step.type() == NodeType.SWITCH) {
            ObjectNode choice = putItem(chain, step.name() + "~switch");
            choice.putObject("pathspec").put("S.$", "$.JobId");
            choice.putObject("switch_next_step").put("S", step.outFuncs().get(0));
        }
        List<String> names = new ArrayList<>(chain.keySet());
        for (int i = 0; i + 1 < names.size(); i++) {
            chain.get(names.get(i)).put("Next", names.get(i + 1));
        }
        ObjectNode last = chain.get(names.get(names.size() - 1));
        for (String field : List.of("Next", "End", "OutputPath")) {
            if (task.has(field)) {
                last.set(field, task.get(field));
            }
        }
        return chain;
    }

    /** Appends a DynamoDB putItem state to the chain (its result discarded); returns its Item to fill. */
    private static ObjectNode putItem(Map<String, ObjectNode> chain, String name) {
        ObjectNode state = FlowgateJson.mapper().createObjectNode();
        state.put("Type", "Task");
        state.put("Resource", PUT_ITEM);
        ObjectNode p = state.putObject("Parameters");
        p.put("TableName", TABLE);
        ObjectNode item = p.putObject("Item");
        state.putNull("ResultPath");
        chain.put(name, state);
        return item;
    }

    private static void enableExecution(AwsEmulator emulator) throws IOException, InterruptedException {
        if (!emulator.kind().equals("moto")) {
            return;
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(emulator.endpoint().toString().replaceAll("/+$", "") + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":true}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode() / 100).as("moto config: %s", r.body()).isEqualTo(2);
    }
}

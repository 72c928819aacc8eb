package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Executions of compiled {@code @exit_hook} state machines in moto's Step Functions interpreter (switched on with
 * its {@code stepfunctions.execute_state_machine} config).
 *
 * <p>What moto 5.2.5 can and cannot show: its Batch integration never reaches Batch (it passes the request keys
 * unconverted to boto, which raises), so every {@code batch:submitJob.sync} Task fails with {@code States.Runtime},
 * which no {@code Catch} catches — in AWS as in moto — and its Parallel state cannot re-raise a branch's
 * {@code States.*} error at all. The first test runs the compiled definition unchanged and pins exactly that. The
 * others keep every state the compiler wrote except the Batch tasks, which they replace by stand-ins: a Pass (the
 * job succeeded) or a DynamoDB {@code getItem} of a missing table, keeping the state's Catch and transitions (the
 * job failed, with the custom error {@code DynamoDB.ResourceNotFoundException} and a cause of its own).
 */
@ExtendWith(AwsEmulatorExtension.class)
class ExitHooksOnEmulatorIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/sfn";
    private static final String FAILING = "DynamoDB.ResourceNotFoundException";

    @BeforeAll
    static void letMotoExecuteStateMachines(AwsEmulator emulator) throws Exception {
        assumeTrue(emulator.kind().equals("moto"), "runs executions only in moto");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(emulator.endpoint().toString().replaceAll("/+$", "") + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":true}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode() / 100).as(r.body()).isEqualTo(2);
    }

    private static JsonNode compiled(String flow) throws IOException {
        return FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse(flow,
                Files.readString(CorpusGoldenTest.CORPUS.resolve(flow))), CorpusGoldenTest.options()).definitionJson());
    }

    @Test
    void compiledDefinitionAsIs_motosBatchTaskFailsWithStatesRuntime_whichNoCatchCatches(AwsEmulator emulator) throws Exception {
        Execution execution = run(emulator, compiled("exit_hook_error_flow.py"));
        assertThat(execution.entered()).startsWith("exit_hook:run", "start")
                .noneMatch(s -> s.startsWith("exit_hook:on_error"));
        assertThat(execution.result().status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.result().error()).isEqualTo("States.Runtime");
    }

    @Test
    void failingStep_runsEveryOnErrorHookInOrder_evenAfterAFailingHook_andEndsWithTheStepsErrorAndCause(AwsEmulator emulator)
            throws Exception {
        JsonNode definition = standIns(compiled("exit_hook_flow.py"), Set.of("train", "exit_hook:on_error:record_outcome"));
        Execution execution = run(emulator, definition);

        assertThat(execution.entered()).containsExactly("exit_hook:run", "start", "train",
                "exit_hook:on_error:record_outcome", "exit_hook:on_error:record_outcome#2", "exit_hook:on_error:notify_channel",
                "exit_hook:run_failed?", "exit_hook:run_failed");
        List<HistoryEvent> failures = execution.events().stream().filter(e -> e.taskFailedEventDetails() != null).toList();
        assertThat(failures).as("the step's failure, then the first hook's").hasSize(2);
        String stepCause = failures.get(0).taskFailedEventDetails().cause();
        assertThat(stepCause).isNotEqualTo(failures.get(1).taskFailedEventDetails().cause());
        assertThat(execution.result().status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.result().error()).isEqualTo(FAILING);
        assertThat(execution.result().cause()).as("the step's cause, not the failed hook's").isEqualTo(stepCause);
    }

    @Test
    void succeedingRun_runsTheOnSuccessHooks_andAFailingHookLeavesItSucceeded(AwsEmulator emulator) throws Exception {
        JsonNode definition = standIns(compiled("exit_hook_flow.py"), Set.of("exit_hook:on_success:record_outcome"));
        Execution execution = run(emulator, definition);

        assertThat(execution.entered()).containsExactly("exit_hook:run", "start", "train", "end",
                "exit_hook:on_success:record_outcome", "exit_hook:on_success:notify_channel", "exit_hook:run_succeeded");
        assertThat(execution.result().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void onSuccessOnly_failingRunEndsAsWithoutHooks(AwsEmulator emulator) throws Exception {
        Execution failed = run(emulator, standIns(compiled("exit_hook_success_flow.py"), Set.of("end")));
        assertThat(failed.entered()).containsExactly("start", "end");
        assertThat(failed.result().status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.result().error()).isEqualTo(FAILING);

        Execution succeeded = run(emulator, standIns(compiled("exit_hook_success_flow.py"), Set.of("exit_hook:on_success:publish_report")));
        assertThat(succeeded.entered()).containsExactly("start", "end", "exit_hook:on_success:publish_report",
                "exit_hook:on_success:refresh_dashboard", "exit_hook:run_succeeded");
        assertThat(succeeded.result().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void failureInsideASplitBranch_reachesTheOnErrorHook(AwsEmulator emulator) throws Exception {
        // "fetch" fails in one branch of the split; the other branch's foreach lookup fails too (no table in moto)
        Execution execution = run(emulator, standIns(compiled("exit_hook_split_flow.py"), Set.of("fetch")));
        assertThat(execution.entered()).contains("fetch", "exit_hook:on_error:cleanup", "exit_hook:run_failed")
                .doesNotContain("merge", "end", "exit_hook:on_success:announce");
        assertThat(execution.result().status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.result().error()).isEqualTo(FAILING);
    }

    /**
     * Step Functions' own errors (a failed Batch job is {@code States.TaskFailed}) cannot be raised again by a Fail
     * state; the compiled Choice sends them to the Fail state that reports {@code Flowgate.States.TaskFailed} with the
     * original cause. Run from a state that hands over what the wrapper's Catch hands over.
     */
    @Test
    void statesErrors_endAsFlowgatePrefixedErrors_withTheOriginalCause(AwsEmulator emulator) throws Exception {
        JsonNode states = compiled("exit_hook_error_flow.py").get("States");
        ObjectNode definition = FlowgateJson.mapper().createObjectNode();
        definition.put("StartAt", "caught");
        ObjectNode out = definition.putObject("States");
        String cause = "{\"JobId\":\"job-1\",\"StatusReason\":\"Essential container in task exited\"}";
        out.putObject("caught").put("Type", "Pass").put("Next", "exit_hook:run_failed?")
                .putObject("Result").put("Error", "States.TaskFailed").put("Cause", cause);
        for (String name : List.of("exit_hook:run_failed?", "exit_hook:run_failed", "exit_hook:run_failed:States")) {
            out.set(name, states.get(name));
        }
        Execution execution = run(emulator, definition);
        assertThat(execution.entered()).containsExactly("caught", "exit_hook:run_failed?", "exit_hook:run_failed:States");
        assertThat(execution.result().error()).isEqualTo("Flowgate.States.TaskFailed");
        assertThat(execution.result().cause()).isEqualTo(cause);
    }

    /** Replaces every Batch task by a stand-in: a DynamoDB lookup of a missing table for {@code failing}, else a Pass. */
    static JsonNode standIns(JsonNode definition, Set<String> failing) {
        ObjectNode copy = definition.deepCopy();
        replaceBatchTasks((ObjectNode) copy.get("States"), failing);
        return copy;
    }

    private static void replaceBatchTasks(ObjectNode states, Set<String> failing) {
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            ObjectNode state = (ObjectNode) entry.getValue();
            for (JsonNode branch : state.path("Branches")) {
                replaceBatchTasks((ObjectNode) branch.get("States"), failing);
            }
            if (state.has("Iterator")) {
                replaceBatchTasks((ObjectNode) state.at("/Iterator/States"), failing);
            }
            if (!state.path("Resource").asText().endsWith(":batch:submitJob.sync")) {
                continue;
            }
            String name = entry.getKey();
            state.remove(List.of("Parameters", "ResultSelector", "Retry"));
            if (failing.contains(name)) {
                state.put("Resource", "arn:aws:states:::dynamodb:getItem");
                ObjectNode p = state.putObject("Parameters");
                p.put("TableName", "missing-" + name.replaceAll("[^A-Za-z0-9_.-]", "-"));
                p.putObject("Key").putObject("pathspec").put("S", "x");
            } else {
                state.put("Type", "Pass");
                state.remove(List.of("Resource", "Catch"));
                state.putObject("Result").put("JobId", "job-" + name).putObject("Parameters").put("step_name", name);
            }
        }
    }

    private record Execution(DescribeExecutionResponse result, List<HistoryEvent> events) {
        List<String> entered() {
            List<String> names = new ArrayList<>();
            events.stream().filter(e -> e.stateEnteredEventDetails() != null)
                    .forEach(e -> names.add(e.stateEnteredEventDetails().name()));
            return names;
        }
    }

    private static Execution run(AwsEmulator emulator, JsonNode definition) throws InterruptedException {
        try (SfnClient sfn = emulator.settings().configure(SfnClient.builder())) {
            String machine = sfn.createStateMachine(r -> r.name(AwsEmulator.uniqueName("exit-hook"))
                    .definition(FlowgateJson.write(definition)).roleArn(ROLE)).stateMachineArn();
            String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("run-1").input("{\"Parameters\":{}}"))
                    .executionArn();
            for (int i = 0; i < 200; i++) {
                DescribeExecutionResponse described = sfn.describeExecution(r -> r.executionArn(arn));
                if (described.status() != ExecutionStatus.RUNNING) {
                    return new Execution(described, sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1000)).events());
                }
                Thread.sleep(100);
            }
            throw new AssertionError("execution still RUNNING after 20 s");
        }
    }
}

package dev.flowgate.compiler.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code compile} and {@code graph} commands: output, exit codes, and problems on stderr. */
class FlowgateCliTest {
    /** The e2e suite's mutator flow, whose recorded _graph_info is src/test/resources/graphinfo/mutated_flow.graph_info.json. */
    static final String MUTATED_FLOW = "../../e2e/flows/mutated_flow.py";

    private static final Path FLOWS = Path.of("src/test/resources/flows");
    private static final String SETTINGS = FLOWS.resolve("settings.json").toString();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return FlowgateCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void compile_withTheRunsGraphInfo_takesTheMutatorsDecoratorsOver(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        Path graphInfo = Path.of("src/test/resources/graphinfo");
        int code = run("compile", MUTATED_FLOW, "--settings", SETTINGS, "--production",
                "--graph-info", graphInfo.resolve("mutated_flow.graph_info.json").toString());

        assertThat(code).as(stderr()).isZero();
        assertThat(stderr()).contains("note: taken from the run's record: @resources(cpu=\"1\", gpu=2, memory=24576) on train");
        assertThat(FlowgateJson.parse(stdout()).at("/States/train/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(5);

        String drifted = java.nio.file.Files.readString(graphInfo.resolve("mutated_flow.graph_info.json"))
                .replace("\"memory\": 24576", "\"memory\": 4096");
        Path record = tmp.resolve("record.json");
        java.nio.file.Files.writeString(record, drifted);
        out.reset();
        err.reset();
        assertThat(run("compile", MUTATED_FLOW, "--settings", SETTINGS,
                "--graph-info", record.toString())).isZero(); // the record's own values are taken over, whatever they are
        assertThat(run("compile", MUTATED_FLOW, "--settings", SETTINGS,
                "--graph-info", tmp.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(stderr()).contains("missing.json does not exist");
    }

    @Test
    void compile_ofAFlowWithMutatorsWithoutARecord_warnsThatTheirDecoratorsAreMissing() {
        Path graphInfo = Path.of("src/test/resources/graphinfo");
        assertThat(run("compile", MUTATED_FLOW, "--settings", SETTINGS, "--production"))
                .as(stderr()).isZero();
        assertThat(stderr()).contains("warning: MutatedFlow uses decorators Flowgate never runs (robust_flow on the flow,"
                + " on_gpu on train)").contains("--graph-info");
        out.reset();
        err.reset();
        assertThat(run("compile", MUTATED_FLOW, "--settings", SETTINGS, "--production",
                "--graph-info", graphInfo.resolve("mutated_flow.graph_info.json").toString())).isZero();
        assertThat(stderr()).doesNotContain("warning:");
    }

    @Test
    void compile_withARecordOfAnotherGraph_failsNamingTheStep(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        Path graphInfo = Path.of("src/test/resources/graphinfo");
        String other = java.nio.file.Files.readString(graphInfo.resolve("mutated_flow.graph_info.json"))
                .replace("\"next\": [\n    \"end\"\n   ]", "\"next\": [\n    \"evaluate\"\n   ]");
        Path record = tmp.resolve("record.json");
        java.nio.file.Files.writeString(record, other);

        int code = run("compile", MUTATED_FLOW, "--settings", SETTINGS,
                "--graph-info", record.toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).contains("error: step 'train': next: the run had [\"evaluate\"], the compiled flow has [\"end\"]");
    }

    @Test
    void compile_readsAConfigsDefaultFileNextToTheFlow_notTheWorkingDirectory() {
        int code = run("compile", FLOWS.resolve("config_driven_flow.py").toString(), "--settings", SETTINGS, "--production");

        assertThat(code).as(stderr()).isZero();
        assertThat(stderr()).contains("ranking.prod.ConfigDrivenFlow");
        assertThat(FlowgateJson.parse(stdout()).at("/States/start/Parameters/Timeout/AttemptDurationSeconds").asInt()).isEqualTo(1200);
    }

    @Test
    void compile_configAndConfigValue_replaceTheDefaults(@TempDir Path dir) throws IOException {
        Path train = dir.resolve("other_train.json");
        Files.writeString(train, "{\"project\": \"other\", \"start\": {\"cpu\": 6, \"memory\": 1024}, \"image\": \"i:1\", \"gpus\": [3], \"lr\": \"0.5\"}");
        int code = run("compile", FLOWS.resolve("config_driven_flow.py").toString(), "--settings", SETTINGS, "--production",
                "--config", "train", train.toString(), "--config-value", "limits", "{\"minutes\": 5, \"retries\": 0, \"queue\": \"q2\"}");

        assertThat(code).as(stderr()).isZero();
        assertThat(stderr()).contains("other.prod.ConfigDrivenFlow");
        JsonNode states = FlowgateJson.parse(stdout()).path("States");
        assertThat(states.at("/start/Parameters/Timeout/AttemptDurationSeconds").asInt()).isEqualTo(300);
        assertThat(states.at("/start/Parameters/ContainerOverrides/ResourceRequirements/0/Value").asText()).isEqualTo("6");
        assertThat(states.at("/fit/Parameters/JobQueue").asText()).isEqualTo("q2");
    }

    @Test
    void compile_aConfigValueThatIsNotJson_exits2_namingTheConfigAndTheLine() {
        int code = run("compile", FLOWS.resolve("config_driven_flow.py").toString(), "--settings", SETTINGS,
                "--config-value", "limits", "{minutes: 5}");

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).contains("config_driven_flow.py:25: step 'start': Config 'limits' (line 21) given with --config/--config-value is not valid JSON (Unexpected character")
                .contains("Fix: fix the JSON");
        assertThat(run("graph", FLOWS.resolve("config_driven_flow.py").toString(), "--config", "train")).isEqualTo(2);
        assertThat(stderr()).contains("--config needs a config name and a file");
    }

    @Test
    void compile_printsTheStateMachine_andWritesTheScheduleOfAScheduledProjectFlow(@TempDir Path dir) throws IOException {
        Path scheduleFile = dir.resolve("schedule.json");
        int code = run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS,
                "--code-url", "s3://test-datastore/metaflow/FanFlow/data/ab/abc", "--code-sha", "abc",
                "--branch", "feature_x", "--schedule-out", scheduleFile.toString());

        assertThat(code).as(stderr()).isZero();
        JsonNode definition = FlowgateJson.parse(stdout());
        assertThat(definition.path("StartAt").asText()).isEqualTo("start");
        assertThat(definition.path("States").path("*square").path("Type").asText()).isEqualTo("Map");
        JsonNode schedule = FlowgateJson.parse(Files.readString(scheduleFile));
        assertThat(schedule.path("state_machine").asText()).isEqualTo("fan_out.test.feature_x.FanFlow");
        assertThat(schedule.path("schedule_expression").asText()).isEqualTo("cron(0 * * * ? *)");
        assertThat(schedule.path("schedule_timezone").isNull()).isTrue();
        assertThat(schedule.path("trigger_on_finish").isArray()).isTrue();
        assertThat(schedule.path("trigger_on_finish")).isEmpty();
        assertThat(stderr()).contains("fan_out.test.feature_x.FanFlow");
    }

    @Test
    void compile_writesTheJobDefinitions_withTheEnvironmentEveryStepShares(@TempDir Path dir) throws IOException {
        Path jobDefinitions = dir.resolve("job-definitions.json");
        int code = run("compile", FLOWS.resolve("branch_flow.py").toString(), "--settings", SETTINGS,
                "--code-url", "s3://test-datastore/metaflow/BranchFlow/data/ab/abc", "--code-sha", "abc",
                "--job-definitions-out", jobDefinitions.toString());

        assertThat(code).as(stderr()).isZero();
        JsonNode definitions = FlowgateJson.parse(Files.readString(jobDefinitions));
        assertThat(definitions.isArray()).isTrue();
        assertThat(definitions.size()).isPositive();
        JsonNode environment = definitions.get(0).at("/containerProperties/environment");
        assertThat(environment.findValuesAsText("name")).contains("METAFLOW_CODE_URL", "METAFLOW_SERVICE_URL", "SFN_STATE_MACHINE");
        assertThat(environment.toString()).contains("s3://test-datastore/metaflow/BranchFlow/data/ab/abc");
        String stateMachine = stdout();
        for (JsonNode definition : definitions) {
            assertThat(stateMachine).as("every job definition is named by a state").contains(definition.get("jobDefinitionName").asText());
        }
    }

    @Test
    void compile_scheduleOut_carriesTheTimezoneAndTheUpstreamStateMachines(@TempDir Path dir) throws IOException {
        Path berlin = dir.resolve("berlin.json");
        assertThat(run("compile", FLOWS.resolve("berlin_schedule_flow.py").toString(), "--settings", SETTINGS,
                "--production", "--schedule-out", berlin.toString())).as(stderr()).isZero();
        JsonNode schedule = FlowgateJson.parse(Files.readString(berlin));
        assertThat(schedule.path("schedule_expression").asText()).isEqualTo("cron(30 6 * * ? *)");
        assertThat(schedule.path("schedule_timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(stderr()).contains("schedule cron(30 6 * * ? *) in Europe/Berlin");

        Path triggered = dir.resolve("triggered.json");
        assertThat(run("compile", FLOWS.resolve("trigger_on_finish_flow.py").toString(), "--settings", SETTINGS,
                "--branch", "feature_x", "--schedule-out", triggered.toString())).as(stderr()).isZero();
        JsonNode trigger = FlowgateJson.parse(Files.readString(triggered));
        assertThat(trigger.path("state_machine").asText()).isEqualTo("reports.test.feature_x.ScoreFlow");
        assertThat(trigger.path("schedule_expression").isNull()).isTrue();
        assertThat(trigger.path("trigger_on_finish")).singleElement().satisfies(t -> {
            assertThat(t.path("flow").asText()).isEqualTo("FeatureFlow");
            assertThat(t.path("project").asText()).isEqualTo("reports");
            assertThat(t.path("branch").asText()).isEqualTo("test.feature_x");
            assertThat(t.path("state_machine").asText()).isEqualTo("reports.test.feature_x.FeatureFlow");
        });
        assertThat(stderr()).contains("after reports.test.feature_x.FeatureFlow succeeds");
    }

    @Test
    void compile_production_namesTheProdStateMachine() {
        int code = run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS, "--production");

        assertThat(code).as(stderr()).isZero();
        assertThat(stderr()).contains("state machine fan_out.prod.FanFlow");
    }

    @Test
    void compile_useDistributedMapAndWorkflowTimeout_shapeTheStateMachine() {
        int code = run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS,
                "--use-distributed-map", "--max-workers", "2500", "--workflow-timeout", "7200");

        assertThat(code).as(stderr()).isZero();
        JsonNode definition = FlowgateJson.parse(stdout());
        assertThat(definition.path("TimeoutSeconds").asInt()).isEqualTo(7200);
        JsonNode map = definition.path("States").path("*square");
        assertThat(map.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).isEqualTo("DISTRIBUTED");
        assertThat(map.path("MaxConcurrency").asInt()).isEqualTo(2500);
        assertThat(map.path("ItemProcessor").path("States").path("square").path("Parameters").path("ContainerOverrides")
                .path("Environment").toString()).contains("{\"Name\":\"METAFLOW_SFN_WORKFLOW_TIMEOUT\",\"Value\":\"7200\"}");
    }

    @Test
    void compile_withoutTheFlags_keepsTheInlineMapAndNoTimeout() {
        assertThat(run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS)).as(stderr()).isZero();
        JsonNode definition = FlowgateJson.parse(stdout());
        assertThat(definition.has("TimeoutSeconds")).isFalse();
        assertThat(definition.path("States").path("*square").path("Iterator").path("ProcessorConfig").path("Mode").asText())
                .isEqualTo("INLINE");
        assertThat(stdout()).doesNotContain("METAFLOW_SFN_WORKFLOW_TIMEOUT");
    }

    @Test
    void compile_badWorkflowTimeoutOrMaxWorkers_exits2_namingTheOptionAndTheRange() {
        for (String bad : new String[]{"0", "-5", "31536001", "1h", "", "3.5"}) {
            out.reset();
            err.reset();
            assertThat(run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS,
                    "--workflow-timeout", bad)).as(bad).isEqualTo(2);
            assertThat(stderr()).as(bad).startsWith("error: --workflow-timeout: the workflow timeout must be")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(stdout()).isEmpty();
        }
        assertThat(stderr()).contains("whole number of seconds, e.g. 86400");
        err.reset();
        assertThat(run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS, "--workflow-timeout",
                "31536000")).isZero();
        err.reset();
        assertThat(run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS,
                "--use-distributed-map", "--max-workers", "10001")).isEqualTo(2);
        assertThat(stderr()).contains("--max-workers: max workers must be between 1 and 10000");
        err.reset();
        assertThat(run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS, "--workflow-timeout"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--workflow-timeout needs a value");
    }

    /** Metaflow's {@code step-functions create --tag}: init and every step command carry each tag, in order. */
    @Test
    void compile_tags_reachInitAndEveryStepCommand_quotedOnlyWhenNeeded() {
        int code = run("compile", FLOWS.resolve("foreach_flow.py").toString(), "--settings", SETTINGS,
                "--tag", "team:ranking", "--tag", "nightly run", "--tag", "team:ranking");

        assertThat(code).as(stderr()).isZero();
        JsonNode definition = FlowgateJson.parse(stdout());
        String start = definition.at("/States/start/Parameters/ContainerOverrides/Command/2").asText();
        assertThat(start).contains("init --run-id sfn-$METAFLOW_RUN_ID --task-id ${AWS_BATCH_JOB_ID}-params"
                + " --tag team:ranking --tag 'nightly run' --tag team:ranking; fi");
        java.util.List<String> commands = new java.util.ArrayList<>();
        definition.findValues("Command").forEach(c -> commands.add(c.get(2).asText()));
        assertThat(commands).hasSizeGreaterThan(4).allSatisfy(command -> assertThat(command)
                .containsPattern(" step \\w+ .* --tag team:ranking --tag 'nightly run' --tag team:ranking\\)"));
    }

    @Test
    void compile_badTag_exits2_namingTheOptionAndTheRule() {
        String tooLong = "x".repeat(501);
        java.util.List<String[]> bad = java.util.List.of(new String[]{"--tag", ""}, new String[]{"--tag", tooLong},
                new String[]{"--tag"});
        for (String[] tag : bad) {
            out.reset();
            err.reset();
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("compile",
                    FLOWS.resolve("branch_flow.py").toString(), "--settings", SETTINGS), java.util.Arrays.stream(tag)).toArray(String[]::new);
            assertThat(run(args)).isEqualTo(2);
            assertThat(stderr()).startsWith("error: --tag").doesNotContain("\tat ");
            assertThat(stdout()).isEmpty();
        }
        java.util.List<String> many = new java.util.ArrayList<>(java.util.List.of("compile", FLOWS.resolve("branch_flow.py").toString(),
                "--settings", SETTINGS));
        for (int i = 0; i < 51; i++) {
            many.add("--tag");
            many.add("t" + i);
        }
        err.reset();
        assertThat(run(many.toArray(String[]::new))).isEqualTo(2);
        assertThat(stderr()).contains("error: --tag: at most 50 distinct tags");
        err.reset();
        assertThat(run(many.subList(0, many.size() - 2).toArray(String[]::new))).as(stderr()).isZero();
    }

    @Test
    void graph_printsStepsAsTextAndAsDot() {
        assertThat(run("graph", FLOWS.resolve("branch_flow.py").toString())).isZero();
        assertThat(stdout()).contains("BranchFlow").contains("merge").contains("join");

        out.reset();
        assertThat(run("graph", FLOWS.resolve("branch_flow.py").toString(), "--dot")).isZero();
        assertThat(stdout()).startsWith("digraph \"BranchFlow\"").contains("\"start\" -> \"left\"").contains("\"start\" -> \"right\"");
    }

    @Test
    void lintError_exits2_withFileLineStepAndFixOnStderr(@TempDir Path dir) throws IOException {
        Path flow = dir.resolve("broken_flow.py");
        Files.writeString(flow, """
                from metaflow import FlowSpec, step

                class BrokenFlow(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.trian)

                    @step
                    def end(self):
                        pass
                """);

        int code = run("graph", flow.toString());

        assertThat(code).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).contains(flow + ":6").contains("'start'").contains("trian").containsIgnoringCase("fix");
    }

    @Test
    void badInput_exits2_withAMessageAndNoStackTrace(@TempDir Path dir) throws IOException {
        Path badJson = dir.resolve("settings.json");
        Files.writeString(badJson, "{not json");
        String flow = FLOWS.resolve("branch_flow.py").toString();

        assertThat(run("compile", flow, "--settings", badJson.toString())).isEqualTo(2);
        assertThat(run("compile", flow)).isEqualTo(2);
        assertThat(run("compile", dir.resolve("missing.py").toString(), "--settings", SETTINGS)).isEqualTo(2);
        assertThat(run("compile", flow, "--settings", SETTINGS, "--bogus")).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);

        assertThat(stderr()).contains("is not valid JSON").contains("--settings SETTINGS.json is required")
                .contains("missing.py does not exist").contains("unknown option --bogus").contains("unknown command 'frobnicate'")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(stdout()).isEmpty();
    }
}

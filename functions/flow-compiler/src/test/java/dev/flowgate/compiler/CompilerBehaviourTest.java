package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.NodeType;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the compiled state machines must do, asserted field by field (the goldens pin the rest). */
class CompilerBehaviourTest {

    private static JsonNode compiled(String file) throws IOException {
        Path flow = CorpusGoldenTest.CORPUS.resolve(file);
        return FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse(file, Files.readString(flow)), CorpusGoldenTest.options()).definitionJson());
    }

    private static String env(JsonNode task, String name) {
        for (JsonNode e : task.at("/Parameters/ContainerOverrides/Environment")) {
            if (e.get("Name").asText().equals(name)) {
                return e.has("Value") ? e.get("Value").asText() : "$:" + e.get("Value.$").asText();
            }
        }
        return null;
    }

    @Test
    void parse_readsAliasesDecoratorsParametersAndTails() throws IOException {
        FlowGraph graph = FlowCompiler.parse("branch_flow.py", Files.readString(CorpusGoldenTest.CORPUS.resolve("branch_flow.py")));
        assertThat(graph.flowName()).isEqualTo("BranchFlow");
        assertThat(graph.steps().keySet()).containsExactly("start", "left", "right", "merge", "end");
        assertThat(graph.step("start").type()).isEqualTo(NodeType.SPLIT);
        assertThat(graph.step("start").outFuncs()).containsExactly("left", "right");
        assertThat(graph.step("merge").type()).isEqualTo(NodeType.JOIN);
        assertThat(graph.step("merge").inFuncs()).containsExactly("left", "right");
        assertThat(graph.step("start").matchingJoin()).isEqualTo("merge");
        assertThat(graph.step("left").has("resources")).isTrue();
        assertThat(graph.step("right").has("environment")).isTrue();
        assertThat(graph.parameters()).extracting(p -> p.name()).containsExactly("alpha", "label");
    }

    @Test
    void staticSplit_becomesParallelWithBranchesAndArrayInputToTheJoin() throws IOException {
        JsonNode states = compiled("branch_flow.py").get("States");
        String parallel = states.get("start").get("Next").asText();
        assertThat(parallel).hasSize(56); // sha224 hex of "left&right", as Metaflow names it
        assertThat(states.get(parallel).get("Type").asText()).isEqualTo("Parallel");
        assertThat(states.get(parallel).get("Branches")).hasSize(2);
        assertThat(states.get(parallel).get("Branches").get(0).at("/States/left/End").asBoolean()).isTrue();
        JsonNode merge = states.get("merge");
        assertThat(env(merge, "METAFLOW_PARENT_1_TASK_ID")).isEqualTo("$:$[1].JobId");
        assertThat(env(merge, "METAFLOW_INPUT_PATHS")).isEqualTo(
                "sfn-${METAFLOW_RUN_ID}:/${METAFLOW_PARENT_0_STEP}/${METAFLOW_PARENT_0_TASK_ID},/${METAFLOW_PARENT_1_STEP}/${METAFLOW_PARENT_1_TASK_ID}");
        JsonNode left = states.get(parallel).get("Branches").get(0).at("/States/left");
        assertThat(left.at("/Parameters/ContainerOverrides/ResourceRequirements/0/Value").asText()).isEqualTo("2");
        assertThat(left.at("/Parameters/ContainerOverrides/ResourceRequirements/1/Value").asText()).isEqualTo("8000");
        JsonNode right = states.get(parallel).get("Branches").get(1).at("/States/right");
        assertThat(env(right, "MODE")).isEqualTo("fast");
        assertThat(env(states.get("start"), "METAFLOW_DEFAULT_PARAMETERS")).as("json.dumps as Metaflow writes it").isEqualTo("{\"alpha\": 0.5, \"label\": \"x\"}");
    }

    @Test
    void foreach_becomesDynamoLookupAndMap_withRetriesTimeoutAndQueue() throws IOException {
        JsonNode states = compiled("foreach_flow.py").get("States");
        assertThat(states.get("start").get("Next").asText()).isEqualTo("#square");
        assertThat(states.get("#square").get("Resource").asText()).isEqualTo("arn:aws:states:::dynamodb:getItem");
        assertThat(states.at("/#square/Parameters/TableName").asText()).isEqualTo("sfn-foreach");
        JsonNode map = states.get("*square");
        assertThat(map.get("Type").asText()).isEqualTo("Map");
        assertThat(map.get("MaxConcurrency").asInt()).isEqualTo(50);
        assertThat(map.get("Next").asText()).isEqualTo("gather");
        JsonNode square = map.at("/Iterator/States/square");
        assertThat(square.at("/Parameters/JobQueue").asText()).isEqualTo("spot-queue");
        assertThat(square.at("/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(3);
        assertThat(env(square, "METAFLOW_SPLIT_INDEX")).isEqualTo("$:$.Index");
        assertThat(square.at("/Parameters/Parameters/split_parent_task_id_start.$").asText()).isEqualTo("$.SplitParentTaskId");
        JsonNode inner = map.at("/Iterator/States/*inner/Iterator/States/inner");
        assertThat(inner.at("/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(4); // @catch adds 3 platform retries
        assertThat(inner.at("/Parameters/Timeout/AttemptDurationSeconds").asInt()).isEqualTo(300);
        assertThat(env(inner, "METAFLOW_SPLIT_PARENT_TASK_ID_FOR_FOREACH_JOIN")).isEqualTo("$:$.SplitParentTaskId");
        JsonNode gather = states.get("gather");
        assertThat(env(gather, "METAFLOW_INPUT_PATHS")).isEqualTo("sfn-${METAFLOW_RUN_ID}/inner_join/:${METAFLOW_PARENT_TASK_IDS}");
        assertThat(gather.at("/Parameters/ContainerOverrides/Command/2").asText()).contains("get_parent_task_ids_for_foreach_join").doesNotContain(". `pwd`/");
        assertThat(env(states.get("start"), "METAFLOW_RUN_ID")).isEqualTo("$:$$.Execution.Name");
    }

    @Test
    void parameters_areReadFromTheInputOnlyWhenTheFlowHasSome() throws IOException {
        assertThat(env(compiled("branch_flow.py").get("States").get("start"), "METAFLOW_PARAMETERS")).isEqualTo("$:$.Parameters");
        assertThat(env(compiled("parallel_flow.py").get("States").get("start"), "METAFLOW_PARAMETERS"))
                .as("a flow without Parameters must start with an empty input, as Metaflow's does").isNull();
    }

    @Test
    void parallelStep_becomesMultiNodeBatchJob_withControlAndWorkerTasks() throws IOException {
        JsonNode train = compiled("parallel_flow.py").at("/States/train");
        JsonNode overrides = train.at("/Parameters/NodeOverrides");
        assertThat(overrides.get("NumNodes").asInt()).isEqualTo(3);
        String control = overrides.at("/NodePropertyOverrides/0/ContainerOverrides/Command/2").asText();
        String workers = overrides.at("/NodePropertyOverrides/1/ContainerOverrides/Command/2").asText();
        assertThat(overrides.at("/NodePropertyOverrides/1/TargetNodes").asText()).isEqualTo("1:2");
        assertThat(control).contains("--task-id control-${AWS_BATCH_JOB_ID%%#*}", "--ubf-context ubf_control --split-index 0");
        assertThat(workers).contains("--task-id ${AWS_BATCH_JOB_ID%%#*}-node-$AWS_BATCH_JOB_NODE_INDEX",
                "--ubf-context ubf_task --split-index $AWS_BATCH_JOB_NODE_INDEX");
        assertThat(train.at("/Parameters/ContainerOverrides").isMissingNode()).isTrue();
        JsonNode requirements = overrides.at("/NodePropertyOverrides/0/ContainerOverrides/ResourceRequirements");
        assertThat(requirements.findValuesAsText("Type")).as("Metaflow's order").containsExactly("VCPU", "GPU", "MEMORY");
        assertThat(requirements.get(1).get("Value").asText()).isEqualTo("8");
        JsonNode states = compiled("parallel_flow.py").get("States");
        assertThat(states.at("/join/Parameters/ContainerOverrides/Command/2").asText())
                .as("the join reads every node's task, as Metaflow's runtime expands a @parallel join")
                .contains("--input-paths sfn-${METAFLOW_RUN_ID}/train/:control-${METAFLOW_PARENT_TASK_ID},"
                        + "${METAFLOW_PARENT_TASK_ID}-node-1,${METAFLOW_PARENT_TASK_ID}-node-2");
        assertThat(states.at("/start/Parameters/ContainerOverrides/Command/2").asText())
                .as("Metaflow's step_functions_internal cannot record num_parallel's unbounded foreach")
                .doesNotContain("step_functions_internal");
    }

    @Test
    void switch_recordsTheChosenStepAndBranchesWithAChoice_theMeetingStepReadsItsParentFromTheInput() throws IOException {
        JsonNode states = compiled("switch_flow.py").get("States");
        assertThat(states.at("/start/Next").asText()).isEqualTo("?start");
        String startCommand = states.at("/start/Parameters/ContainerOverrides/Command/2").asText();
        assertThat(startCommand).contains("step start ", "t[\"_transition\"].data[0][0]", "Task(\"SwitchFlow/sfn-%s/start/%s\"");
        assertThat(startCommand.indexOf("_transition")).isGreaterThan(startCommand.indexOf(" step start "));
        assertThat(states.at("/?start/Parameters/Key/pathspec/S.$").asText()).isEqualTo("$.JobId");
        assertThat(states.at("/?start/Next").asText()).isEqualTo("start?");
        JsonNode choice = states.get("start?");
        assertThat(choice.get("Type").asText()).isEqualTo("Choice");
        assertThat(choice.at("/Choices/0/StringEquals").asText()).isEqualTo("heavy");
        assertThat(choice.at("/Choices/0/Next").asText()).isEqualTo("heavy");
        assertThat(choice.at("/Choices/1/Next").asText()).isEqualTo("light");
        assertThat(states.at("/" + choice.get("Default").asText() + "/Type").asText()).isEqualTo("Fail");
        assertThat(states.at("/heavy/Next").asText()).isEqualTo("report");
        assertThat(states.at("/light/Next").asText()).isEqualTo("report");
        Map<String, String> reportEnv = new HashMap<>();
        states.at("/report/Parameters/ContainerOverrides/Environment").forEach(e ->
                reportEnv.put(e.get("Name").asText(), e.has("Value.$") ? e.get("Value.$").asText() : e.get("Value").asText()));
        assertThat(reportEnv).containsEntry("METAFLOW_PARENT_STEP", "$.Parameters.step_name")
                .containsEntry("METAFLOW_INPUT_PATHS", "sfn-${METAFLOW_RUN_ID}/${METAFLOW_PARENT_STEP}/${METAFLOW_PARENT_TASK_ID}");
        assertThat(states.at("/heavy/Parameters/ContainerOverrides/Command/2").asText())
                .contains("--input-paths sfn-${METAFLOW_RUN_ID}/start/${METAFLOW_PARENT_TASK_ID}");
    }

    @Test
    void switch_loopingBackToItself_isRefusedWithAFix() {
        String source = """
                from metaflow import FlowSpec, step

                class LoopFlow(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.poll)

                    @step
                    def poll(self):
                        self.state = "again"
                        self.next({"again": self.poll, "done": self.end}, condition="state")

                    @step
                    def end(self):
                        pass
                """;
        FlowGraph graph = FlowCompiler.parse("loop_flow.py", source);
        assertThatThrownBy(() -> FlowCompiler.compile(graph, CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class)
                .satisfies(e -> assertThat(((FlowLintException) e).problems().get(0).toString())
                        .contains("loop_flow.py:9", "'poll'", "loops back", "Fix"));
    }

    @Test
    void annotatedEntryAndTerminalSteps_followMetaflow219() throws IOException {
        JsonNode custom = compiled("custom_named_flow.py");
        assertThat(custom.get("StartAt").asText()).isEqualTo("begin");
        String beginCommand = custom.at("/States/begin/Parameters/ContainerOverrides/Command/2").asText();
        assertThat(beginCommand).contains(" init --run-id ", "--input-paths sfn-${METAFLOW_RUN_ID}/_parameters/${AWS_BATCH_JOB_ID}-params");
        assertThat(custom.at("/States/begin/Parameters/Parameters/metaflow.production_token").isTextual()).isTrue();
        assertThat(custom.at("/States/finish/End").asBoolean()).isTrue();
        assertThat(custom.at("/States/process/Parameters/Parameters/metaflow.production_token").isMissingNode()).isTrue();

        JsonNode single = compiled("single_step_flow.py");
        assertThat(single.get("StartAt").asText()).isEqualTo("only");
        assertThat(single.get("States").size()).isEqualTo(1);
        assertThat(single.at("/States/only/End").asBoolean()).isTrue();

        String twoStarts = """
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step(start=True)
                    def a(self):
                        self.next(self.end)
                    @step(start=True)
                    def b(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """;
        assertLint(twoStarts, "f.py:7: step 'b': more than one step is marked @step(start=True): [a, b]. Fix: mark only one start step");
        String ambiguous = """
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step(start=True)
                    def begin(self):
                        self.next(self.end)
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """;
        assertLint(ambiguous, "f.py:4: step 'begin': the step is marked @step(start=True) but the flow also has a step named start");
    }

    @Test
    void lint_missingTarget_namesFileLineStepAndFix() {
        String source = """
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.evaluate)
                    @step
                    def end(self):
                        pass
                """;
        assertThatThrownBy(() -> FlowCompiler.parse("flows/f.py", source))
                .isInstanceOfSatisfying(FlowLintException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0).line()).isEqualTo(5);
                    assertThat(e.problems().get(0).step()).isEqualTo("start");
                    assertThat(e.getMessage()).contains("flows/f.py:5", "'evaluate'", "Fix:");
                });
    }

    @Test
    void lint_rulesOfMetaflow() {
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.x = 1
                    @step
                    def end(self):
                        pass
                """, "does not end with a transition");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.a)
                    @step
                    def a(self):
                        self.next(self.start)
                    @step
                    def end(self):
                        pass
                """, "start step is the target");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.j)
                    @step
                    def j(self, inputs):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "no split leads to it");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.j, foreach="xs")
                    @step
                    def j(self, inputs):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "foreach goes straight to the join");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.a, self.b)
                    @step
                    def a(self):
                        self.next(self.end)
                    @step
                    def b(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "end is reached before the split");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.Next_Step)
                    @step
                    def Next_Step(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "invalid name");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        if True:
                            self.next(self.end)
                    @step
                    def end(self):
                        pass
                """, "'if' block");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.end)
                """, "the flow's only step is both its start and its end, so it must not call self.next()");
        assertLint("""
                from metaflow import FlowSpec, step
                class F(FlowSpec):
                    @step
                    def start(self):
                        self.next(self.train)
                    @step
                    def train(self):
                        self.next(self.start)
                """, "no step named 'end'");
        assertLint("x = (1,\n", "bracket is not closed");
        assertLint("import os\n", "no class deriving from metaflow's FlowSpec");
    }

    @Test
    void compile_refusesNonLiteralParameterDefaultsAndShortTimeouts() {
        String dynamicDefault = """
                from metaflow import FlowSpec, Parameter, step
                import time
                class F(FlowSpec):
                    when = Parameter("when", default=lambda ctx: time.time())
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """;
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", dynamicDefault), CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("write the default literally");
        String shortTimeout = """
                from metaflow import FlowSpec, step, timeout
                class F(FlowSpec):
                    @timeout(seconds=10)
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """;
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", shortTimeout), CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("below AWS Batch's minimum of 60 s")
                .hasMessageContaining("f.py:5: step 'start'");
    }

    /** Metaflow 2.19 ({@code FlowSpec._NON_PARAMETERS}, {@code _get_parameters}, {@code Parameter.init}). */
    @Test
    void reservedAttributes_areNoParameters_andReservedParameterNamesAreRefused() throws IOException {
        String source = """
                from metaflow import FlowSpec, Parameter, Config, IncludeFile, step
                class F(FlowSpec):
                    name = Parameter("name", default="ignored")
                    index = Parameter("index", default=3)
                    input = Config("input", default_value={"a": 1})
                    cmd = Parameter("cmd", default="x")
                    foreach_stack = Parameter("foreach_stack", default="x")
                    script_name = IncludeFile("script_name", default="x.csv")
                    _hidden = Parameter("hidden", default=1)
                    alpha = Parameter("alpha", default=0.5)
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """;
        FlowGraph graph = FlowCompiler.parse("f.py", source);
        assertThat(graph.parameters()).extracting(p -> p.attribute()).containsExactly("alpha");
        JsonNode start = FlowgateJson.parse(FlowCompiler.compile(graph, CorpusGoldenTest.options()).definitionJson()).at("/States/start");
        assertThat(env(start, "METAFLOW_DEFAULT_PARAMETERS")).isEqualTo("{\"alpha\": 0.5}");
        assertThat(env(start, "METAFLOW_FLOW_CONFIG_VALUE")).isNull();

        for (String reserved : java.util.List.of("Parameter(\"tags\")", "Parameter(\"run-id\", default=1)",
                "Parameter(\"max_workers\", default=1)", "Config(\"with\", default_value={})", "IncludeFile(\"tag\")")) {
            String flow = source.replace("Parameter(\"alpha\", default=0.5)", reserved);
            assertThatThrownBy(() -> FlowCompiler.parse("f.py", flow)).isInstanceOf(FlowLintException.class)
                    .hasMessageContaining("f.py:10:").hasMessageContaining("is a reserved word")
                    .hasMessageContaining("use a different name for your parameter");
        }
        // a reserved name on an attribute Metaflow skips is never looked at, as in Metaflow
        assertThat(FlowCompiler.parse("f.py", source.replace("Parameter(\"hidden\", default=1)", "Parameter(\"tags\")"))
                .parameters()).hasSize(1);
    }

    @Test
    void projectNaming_followsMetaflow() throws IOException {
        String source = Files.readString(CorpusGoldenTest.CORPUS.resolve("foreach_flow.py"));
        var base = CorpusGoldenTest.options();
        var branch = CompileOptions.builder().settings(base.settings()).branch("feature_x").build();
        assertThat(FlowCompiler.compile(FlowCompiler.parse("f.py", source), branch).stateMachineName()).isEqualTo("fan_out.test.feature_x.FanFlow");
        assertThat(FlowCompiler.compile(FlowCompiler.parse("f.py", source), base).stateMachineName()).isEqualTo("fan_out.prod.FanFlow");
        assertThat(FlowCompiler.compile(FlowCompiler.parse("f.py", source), base).scheduleExpression()).contains("cron(0 * * * ? *)");
        var bad = CompileOptions.builder().settings(base.settings()).branch("feature/x").build();
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", source), bad)).hasMessageContaining("feature/x");
    }

    @Test
    void distributedMap_everyForeachOfTheCorpus_runsChildExecutionsThatReadTheRunIdFromTheirInput() throws IOException {
        int maps = 0;
        for (Path flow : CorpusGoldenTest.flows().toList()) {
            var options = CorpusGoldenTest.options(flow).toBuilder().distributedMap(true).build();
            JsonNode definition = FlowgateJson.parse(FlowCompiler.compile(CorpusGoldenTest.parse(flow), options).definitionJson());
            for (JsonNode map : definition.findParents("ItemsPath")) {
                maps++;
                assertThat(map.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).as(flow.toString()).isEqualTo("DISTRIBUTED");
                assertThat(map.path("ItemProcessor").path("ProcessorConfig").path("ExecutionType").asText()).isEqualTo("STANDARD");
                assertThat(map.has("Iterator") || map.has("OutputPath") || map.has("ResultWriter")).isFalse();
                assertThat(map.get("ResultPath").isNull()).as("the join reads the foreach step's output").isTrue();
                assertThat(map.path("MaxConcurrency").asInt()).isEqualTo(options.maxWorkers());
                JsonNode body = map.path("ItemProcessor").path("States");
                // a child execution has its own $$.Execution.Name: the run id must come from the input
                assertThat(body.toString()).as(flow.toString()).doesNotContain("$$.Execution");
                body.fields().forEachRemaining(state -> {
                    if (state.getValue().path("End").asBoolean()) {
                        assertThat(state.getValue().get("OutputPath").isNull()).as(state.getKey() + " ends a split with an empty output").isTrue();
                    }
                });
            }
        }
        assertThat(maps).as("foreach Maps in the corpus").isGreaterThanOrEqualTo(6);
    }

    @Test
    void compileOptions_refuseATimeoutOutsideOneYearAndMoreWorkersThanADistributedMapRuns() throws IOException {
        var base = CompileOptions.of(CorpusGoldenTest.options().settings());
        assertThat(base.toBuilder().workflowTimeoutSeconds(31_536_000).build().workflowTimeoutSeconds()).isEqualTo(31_536_000);
        assertThat(base.toBuilder().maxWorkers(10_000).build().maxWorkers()).isEqualTo(10_000);
        assertThat(base.maxWorkers()).isEqualTo(100);
        assertThatThrownBy(() -> base.toBuilder().workflowTimeoutSeconds(31_536_001).build())
                .hasMessageContaining("between 1 and 31536000 seconds");
        assertThatThrownBy(() -> base.toBuilder().workflowTimeoutSeconds(-1).build())
                .hasMessageContaining("between 1 and 31536000 seconds");
        assertThatThrownBy(() -> base.toBuilder().maxWorkers(10_001).build()).hasMessageContaining("between 1 and 10000");
    }

    private static void assertLint(String source, String expected) {
        assertThatThrownBy(() -> FlowCompiler.parse("f.py", source))
                .isInstanceOf(FlowLintException.class)
                .hasMessageContaining(expected);
    }
}

package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @exit_hook}: the states it adds, the order and image of the hooks, and what is refused (with line and fix). */
class ExitHookCompileTest {
    private static final String STEPS = """
                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;

    private static JsonNode definition(String file) throws IOException {
        return FlowgateJson.parse(compiledFile(file).definitionJson());
    }

    private static CompiledFlow compiledFile(String file) throws IOException {
        return FlowCompiler.compile(FlowCompiler.parse(file, Files.readString(CorpusGoldenTest.CORPUS.resolve(file))),
                CorpusGoldenTest.options());
    }

    private static JsonNode definitionOf(String source) throws IOException {
        return FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse("f.py", source), CorpusGoldenTest.options()).definitionJson());
    }

    private static String env(JsonNode task, String name) {
        for (JsonNode e : task.at("/Parameters/ContainerOverrides/Environment")) {
            if (e.get("Name").asText().equals(name)) {
                return e.has("Value") ? e.get("Value").asText() : "$:" + e.get("Value.$").asText();
            }
        }
        return null;
    }

    /** The states an execution visits from {@code from} when every task succeeds (Next chain). */
    private static List<String> chain(JsonNode states, String from) {
        List<String> visited = new ArrayList<>();
        for (String at = from; at != null; ) {
            visited.add(at);
            JsonNode state = states.get(at);
            at = state.has("Next") ? state.get("Next").asText() : state.has("Default") ? state.get("Default").asText() : null;
        }
        return visited;
    }

    @Test
    void onSuccessOnly_endStepLeadsToTheHooks_eachCaughtSoTheRunStaysSucceeded() throws IOException {
        JsonNode definition = definition("exit_hook_success_flow.py");
        JsonNode states = definition.get("States");
        assertThat(definition.get("StartAt").asText()).isEqualTo("start");
        assertThat(chain(states, "start")).containsExactly("start", "end", "exit_hook:on_success:publish_report",
                "exit_hook:on_success:refresh_dashboard", "exit_hook:run_succeeded");
        assertThat(states.at("/exit_hook:run_succeeded/Type").asText()).isEqualTo("Succeed");
        assertThat(states.has("exit_hook:run")).as("no wrapper without on_error hooks").isFalse();
        for (String hook : List.of("exit_hook:on_success:publish_report", "exit_hook:on_success:refresh_dashboard")) {
            JsonNode task = states.get(hook);
            assertThat(task.at("/Catch/0/ErrorEquals").toString()).isEqualTo("[\"States.ALL\"]");
            assertThat(task.at("/Catch/0/Next").asText()).isEqualTo(task.get("Next").asText());
            assertThat(task.get("ResultPath").isNull()).isTrue();
            assertThat(task.at("/Catch/0/ResultPath").isNull()).isTrue();
        }
    }

    @Test
    void hookTask_runsMetaflowsExitHookScriptWithTheRunPathspec_onTheDefaultQueueWithModestResources() throws IOException {
        JsonNode task = definition("exit_hook_success_flow.py").at("/States/exit_hook:on_success:publish_report");
        String script = task.at("/Parameters/ContainerOverrides/Command/2").asText();
        assertThat(script).contains("tar -xzf job.tar", "export PYTHONPATH=$(pwd)/.mf_code",
                        "MF_PATHSPEC=ReportFlow/sfn-$METAFLOW_RUN_ID/_hook_publish_report/${AWS_BATCH_JOB_ID}")
                .contains("(python -m metaflow.plugins.exit_hook.exit_hook_script exit_hook_success_flow.py publish_report"
                        + " ReportFlow/sfn-$METAFLOW_RUN_ID)")
                .endsWith("; c=$?; python -m metaflow.mflog.save_logs; exit $c")
                .doesNotContain(" step ", " init ");
        assertThat(env(task, "METAFLOW_RUN_ID")).isEqualTo("$:$$.Execution.Name");
        String jobDefinition = task.at("/Parameters/JobDefinition").asText();
        JsonNode shared = FlowgateJson.parse(compiledFile("exit_hook_success_flow.py").jobDefinitions().stream()
                .filter(d -> d.name().equals(jobDefinition)).findFirst().orElseThrow().registrationJson())
                .at("/containerProperties/environment");
        assertThat(shared.toString()).as("the hook's job definition carries the shared environment")
                .contains("{\"name\":\"METAFLOW_DEFAULT_METADATA\",\"value\":\"service\"}")
                .contains("{\"name\":\"METAFLOW_SERVICE_URL\",\"value\":\"https://metadata.example.com\"}");
        assertThat(task.at("/Parameters/JobQueue").asText()).isEqualTo("arn:aws:batch:us-east-1:123456789012:job-queue/on-demand");
        assertThat(task.at("/Parameters/ContainerOverrides/ResourceRequirements").toString())
                .isEqualTo("[{\"Value\":\"1\",\"Type\":\"VCPU\"},{\"Value\":\"4096\",\"Type\":\"MEMORY\"}]");
        assertThat(task.at("/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(1);
        assertThat(task.at("/Parameters/Timeout/AttemptDurationSeconds").asLong()).isEqualTo(3600);
        assertThat(task.at("/Retry/0/ErrorEquals").toString()).contains("Batch.TooManyRequestsException");
    }

    @Test
    void onError_wrapsTheFlowInAParallelWhoseCatchRunsTheHooksThenFailsWithTheOriginalError() throws IOException {
        JsonNode definition = definition("exit_hook_error_flow.py");
        JsonNode states = definition.get("States");
        assertThat(definition.get("StartAt").asText()).isEqualTo("exit_hook:run");
        JsonNode run = states.get("exit_hook:run");
        assertThat(run.get("Type").asText()).isEqualTo("Parallel");
        assertThat(run.get("End").asBoolean()).isTrue();
        assertThat(run.at("/Branches/0/StartAt").asText()).isEqualTo("start");
        assertThat(run.at("/Branches/0/States").fieldNames()).toIterable().containsExactly("start", "load", "end");
        assertThat(run.at("/Catch/0/ErrorEquals").toString()).isEqualTo("[\"States.ALL\"]");
        assertThat(run.at("/Catch/0/ResultPath").asText()).isEqualTo("$");
        assertThat(chain(states, run.at("/Catch/0/Next").asText())).containsExactly("exit_hook:on_error:page_on_call",
                "exit_hook:on_error:flowgate_hooks.alerts.open_ticket", "exit_hook:run_failed?", "exit_hook:run_failed");
        JsonNode choice = states.get("exit_hook:run_failed?");
        assertThat(choice.at("/Choices/0/Variable").asText()).isEqualTo("$.Error");
        assertThat(choice.at("/Choices/0/StringMatches").asText()).isEqualTo("States.*");
        assertThat(choice.at("/Choices/0/Next").asText()).isEqualTo("exit_hook:run_failed:States");
        assertThat(states.get("exit_hook:run_failed").toString())
                .isEqualTo("{\"Type\":\"Fail\",\"ErrorPath\":\"$.Error\",\"CausePath\":\"$.Cause\"}");
        assertThat(states.get("exit_hook:run_failed:States").toString()).isEqualTo(
                "{\"Type\":\"Fail\",\"ErrorPath\":\"States.Format('Flowgate.{}', $.Error)\",\"CausePath\":\"$.Cause\"}");
        // the import path is passed as written; the run's parameters still come from the execution input
        assertThat(states.at("/exit_hook:on_error:flowgate_hooks.alerts.open_ticket/Parameters/ContainerOverrides/Command/2").asText())
                .contains("exit_hook_script exit_hook_error_flow.py flowgate_hooks.alerts.open_ticket NightlyLoadFlow/sfn-$METAFLOW_RUN_ID")
                .contains("_hook_flowgate_hooks_alerts_open_ticket/");
        assertThat(env(run.at("/Branches/0/States/start"), "METAFLOW_PARAMETERS")).isEqualTo("$:$.Parameters");
    }

    @Test
    void hooksRunInTheImageOfTheirOptions_elseInTheStartStepsImage_asMetaflowOnArgo() throws IOException {
        CompiledFlow compiled = compiledFile("exit_hook_error_flow.py");
        JsonNode hook = FlowgateJson.parse(compiled.definitionJson()).at("/States/exit_hook:on_error:page_on_call");
        String jobDefinition = hook.at("/Parameters/JobDefinition").asText();
        assertThat(compiled.jobDefinitions()).filteredOn(j -> j.name().equals(jobDefinition)).singleElement()
                .satisfies(j -> assertThat(FlowgateJson.parse(j.registrationJson()).at("/containerProperties/image").asText())
                        .isEqualTo("registry.example.com/alerting:1.2"));

        JsonNode states = definitionOf("""
                from metaflow import FlowSpec, batch, exit_hook, step
                def alert():
                    pass
                @exit_hook(on_error=[alert])
                class F(FlowSpec):
                    @batch(image="etl:7")
                    @step
                    def start(self):
                        self.next(self.end)
                    @step
                    def end(self):
                        pass
                """).get("States");
        assertThat(states.at("/exit_hook:on_error:alert/Parameters/JobDefinition").asText())
                .isEqualTo(states.at("/exit_hook:run/Branches/0/States/start/Parameters/JobDefinition").asText());
    }

    @Test
    void severalDecorators_runBottomUpAsPythonAppliesThem_andAHookListedTwiceRunsTwice() throws IOException {
        JsonNode states = definition("exit_hook_flow.py").get("States");
        assertThat(chain(states, "exit_hook:run")).containsExactly("exit_hook:run", "exit_hook:on_success:record_outcome",
                "exit_hook:on_success:notify_channel", "exit_hook:run_succeeded");
        assertThat(chain(states, states.at("/exit_hook:run/Catch/0/Next").asText())).containsExactly(
                "exit_hook:on_error:record_outcome", "exit_hook:on_error:record_outcome#2", "exit_hook:on_error:notify_channel",
                "exit_hook:run_failed?", "exit_hook:run_failed");
    }

    @Test
    void splitAndForeach_runInsideTheWrapper_unchanged() throws IOException {
        JsonNode states = definition("exit_hook_split_flow.py").get("States");
        JsonNode flow = states.at("/exit_hook:run/Branches/0/States");
        JsonNode plain = FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse("exit_hook_split_flow.py",
                        Files.readString(CorpusGoldenTest.CORPUS.resolve("exit_hook_split_flow.py"))
                                .replace("@exit_hook(on_success=[announce, cleanup], on_error=[cleanup])\n", "")),
                CorpusGoldenTest.options()).definitionJson()).get("States");
        assertThat(flow).as("the flow's own states are the same as without @exit_hook").isEqualTo(plain);
    }

    @Test
    void singleStepFlow_itsOnlyStepLeadsToTheHooks_andFailsIntoThem() throws IOException {
        String source = """
                from metaflow import FlowSpec, exit_hook, step
                def done():
                    pass
                @exit_hook(on_success=[done], on_error=[done])
                class SingleFlow(FlowSpec):
                    @step
                    def only(self):
                        print("one step")
                """;
        JsonNode states = definitionOf(source).get("States");
        assertThat(states.at("/exit_hook:run/Branches/0/StartAt").asText()).isEqualTo("only");
        assertThat(states.at("/exit_hook:run/Branches/0/States/only/End").asBoolean()).isTrue();
        assertThat(chain(states, "exit_hook:run")).containsExactly("exit_hook:run", "exit_hook:on_success:done", "exit_hook:run_succeeded");
        JsonNode successOnly = definitionOf(source.replace(", on_error=[done]", "")).get("States");
        assertThat(chain(successOnly, "only")).containsExactly("only", "exit_hook:on_success:done", "exit_hook:run_succeeded");
    }

    @Test
    void flowWithoutExitHook_compilesAsBefore() throws IOException {
        JsonNode states = definitionOf("from metaflow import FlowSpec, step\nclass F(FlowSpec):\n" + STEPS);
        assertThat(states.get("States").fieldNames()).toIterable().containsExactly("start", "end");
        assertThat(states.at("/States/end/End").asBoolean()).isTrue();
    }

    @Test
    void hookFunctions_mayBeDefinedWithAsyncOrDecorators_importedUnderTheirOwnName_orGivenAsStrings() throws IOException {
        JsonNode states = definitionOf("""
                import functools
                from metaflow import FlowSpec, exit_hook, step
                from ops.alerts import page
                @functools.lru_cache()
                def cached():
                    pass
                async def later():
                    pass
                @exit_hook(on_error=[cached, page, "later", "defined_below", "ops.alerts.page"])
                class F(FlowSpec):
                %s
                def defined_below():
                    pass
                """.formatted(STEPS.indent(4).stripTrailing())).get("States");
        assertThat(chain(states, states.at("/exit_hook:run/Catch/0/Next").asText())).containsExactly(
                "exit_hook:on_error:cached", "exit_hook:on_error:page", "exit_hook:on_error:later",
                "exit_hook:on_error:defined_below", "exit_hook:on_error:ops.alerts.page", "exit_hook:run_failed?",
                "exit_hook:run_failed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "on_error=[missing]|f.py:5: @exit_hook(on_error=[missing]): no function named missing is defined at module level"
                    + " in f.py. Fix: define def missing(run=None): ... above the flow class, or import it",
            "on_success=[below]|f.py:5: @exit_hook(on_success=[below]): below is defined at line 19, below the flow class;"
                    + " Python evaluates the decorator when the class is created, so the name does not exist yet. Fix: move"
                    + " def below above the class, or write the name as a string: \"below\"",
            "on_error=[renamed]|is alert imported under another name (line 2); Metaflow keeps the function's own name 'alert',"
                    + " which the flow file does not define. Fix: import it without 'as', or write \"ops.hooks.alert\"",
            "on_error=[ops.notify]|Metaflow keeps only the function's own name ('notify') and looks it up in the flow file,"
                    + " where it is not defined. Fix: pass the import path as a string: on_error=[\"ops.notify\"]",
            "on_error=[lambda run: None]|must list functions by name or as strings",
            "on_error=['x; rm -rf /']|is neither a function name nor an import path",
            "on_error=['nowhere']|names no function of f.py",
            "on_error=notify|@exit_hook(on_error=notify) must be a list (Metaflow iterates it). Fix: write on_error=[notify]",
            "on_error=[]|@exit_hook names no hook",
            "on_failure=[notify]|@exit_hook has no argument 'on_failure'",
            "on_error=[notify], options={'queue': 'gpu'}|has the key 'queue'; Metaflow's deployers read only 'image'",
            "on_error=[notify], options=OPTIONS|must be a dict written literally",
            "on_error=[assigned]|assigned is assigned at line 4, so its function is known only when the file runs",
            "notify|@exit_hook takes keyword arguments only",
    })
    void unresolvableHooks_areRefusedWithTheLineAndAFix(String arguments, String expected) {
        String source = """
                from metaflow import FlowSpec, exit_hook, step
                from ops.hooks import alert as renamed
                import ops
                assigned = make_hook()
                @exit_hook(%s)
                class F(FlowSpec):
                %s
                def notify(run=None):
                    pass
                OPTIONS = {}
                OPTIONS["image"] = "x"

                def below():
                    pass
                """.formatted(arguments, STEPS.indent(4).stripTrailing());
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", source), CorpusGoldenTest.options()))
                .isInstanceOf(FlowLintException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(((FlowLintException) e).problems()).allSatisfy(p -> assertThat(p.line()).isEqualTo(5)));
    }

    @Test
    void everyProblemOfTheDecoratorsIsReportedAtOnce() {
        String source = """
                from metaflow import FlowSpec, exit_hook, step
                @exit_hook(on_success=[gone], on_error=[lambda: 1])
                class F(FlowSpec):
                %s
                """.formatted(STEPS.indent(4).stripTrailing());
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", source), CorpusGoldenTest.options()))
                .isInstanceOfSatisfying(FlowLintException.class, e -> assertThat(e.problems()).hasSize(2));
    }

    @Test
    void hooksAreTimeLimitedByTheDeploymentsRuntimeLimitWhenShorter() throws IOException {
        DeploymentSettings settings = DeploymentSettings.fromConfig(Map.of(
                "METAFLOW_DATASTORE_SYSROOT_S3", "s3://b/metaflow", "METAFLOW_BATCH_JOB_QUEUE", "q",
                "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::1:role/r", "METAFLOW_SERVICE_URL", "https://md",
                "METAFLOW_DEFAULT_RUNTIME_LIMIT", "600"));
        String source = "from metaflow import FlowSpec, exit_hook, step\ndef h():\n    pass\n@exit_hook(on_success=[h])\nclass F(FlowSpec):\n"
                + STEPS.indent(4);
        JsonNode states = FlowgateJson.parse(FlowCompiler.compile(FlowCompiler.parse("f.py", source),
                CompileOptions.of(settings)).definitionJson()).get("States");
        assertThat(states.at("/exit_hook:on_success:h/Parameters/Timeout/AttemptDurationSeconds").asLong()).isEqualTo(600);
    }
}

package dev.flowgate.compiler;

import dev.flowgate.model.json.FlowgateJson;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.graph.FlowLintException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @schedule(timezone=...)} and {@code @trigger_on_finish}: what the compiler outputs and what it refuses. */
class FlowStartsTest {

    /** A two-step flow with the given flow decorators (line 2 onwards) and imports. */
    private static String flow(String decorators) {
        return "from metaflow import FlowSpec, Parameter, step, schedule, project, trigger_on_finish\n"
                + decorators + "\n"
                + "class DownFlow(FlowSpec):\n"
                + "    @step\n"
                + "    def start(self):\n"
                + "        self.next(self.end)\n"
                + "    @step\n"
                + "    def end(self):\n"
                + "        pass\n";
    }

    private static CompiledFlow compile(String source, CompileOptions options) {
        return FlowCompiler.compile(FlowCompiler.parse("f.py", source), options);
    }

    private static CompiledFlow compile(String source) throws IOException {
        return compile(source, CorpusGoldenTest.options());
    }

    /** production=true without branch, as the golden options; or a branch / a user deployment. */
    private static CompileOptions options(String branch, boolean production, String owner) throws IOException {
        return CompileOptions.builder().settings(CorpusGoldenTest.options().settings())
                .branch(branch).production(production).owner(owner).build();
    }

    private static void assertRefused(String source, String... expected) {
        assertThatThrownBy(() -> compile(source)).isInstanceOf(FlowLintException.class)
                .satisfies(e -> {
                    for (String part : expected) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @ParameterizedTest
    @CsvSource({"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Etc/GMT+5"})
    void schedule_withAnIanaTimezone_keepsExpressionAndZone(String zone) throws IOException {
        CompiledFlow compiled = compile(flow("@schedule(cron='30 6 * * ? *', timezone='" + zone + "')"));
        assertThat(compiled.schedule()).contains(new CompiledFlow.Schedule("cron(30 6 * * ? *)", Optional.of(zone)));
    }

    @Test
    void schedule_withoutTimezone_isUtcAsBefore_andDailyIsTheDefault() throws IOException {
        assertThat(compile(flow("@schedule(hourly=True)")).schedule())
                .contains(new CompiledFlow.Schedule("cron(0 * * * ? *)", Optional.empty()));
        assertThat(compile(flow("@schedule(timezone=None)")).schedule())
                .contains(new CompiledFlow.Schedule("cron(0 0 * * ? *)", Optional.empty()));
        assertThat(compile(flow("@schedule(weekly=True, timezone='Europe/Paris')")).schedule())
                .contains(new CompiledFlow.Schedule("cron(0 0 ? * SUN *)", Optional.of("Europe/Paris")));
    }

    @Test
    void schedule_dailyFalseAndNothingElse_isNoSchedule_asInMetaflow() throws IOException {
        assertThat(compile(flow("@schedule(daily=False)")).schedule()).isEmpty();
        assertThat(compile(flow("@schedule(daily=False, hourly=True)")).scheduleExpression()).contains("cron(0 * * * ? *)");
    }

    @Test
    void schedule_withAZoneThatIsNotIana_isRefusedNamingTheLine() {
        assertRefused(flow("@schedule(cron='0 3 * * ? *', timezone='Europe/Berln')"),
                "f.py:2: @schedule(timezone=\"Europe/Berln\") is not an IANA time zone name", "Fix: write a name of the IANA");
        assertRefused(flow("@schedule(timezone='europe/berlin')"), "f.py:2:", "Fix: write timezone=\"Europe/Berlin\"");
        assertRefused(flow("@schedule(timezone='America/New York')"), "Fix: write timezone=\"America/New_York\"");
        assertRefused(flow("@schedule(timezone='+01:00')"), "f.py:2:", "not an IANA time zone name", "daylight saving");
        assertRefused(flow("@schedule(timezone=1)"), "f.py:2: @schedule(timezone=1) must be a string literal");
    }

    @Test
    void schedule_withARequiredParameterWithoutDefault_isRefusedAsMetaflowDoes() throws IOException {
        String source = "from metaflow import FlowSpec, Parameter, step, schedule\n"
                + "@schedule(daily=True)\n"
                + "class DownFlow(FlowSpec):\n"
                + "    day = Parameter('day', required=True)\n"
                + "    @step\n"
                + "    def start(self):\n"
                + "        self.next(self.end)\n"
                + "    @step\n"
                + "    def end(self):\n"
                + "        pass\n";
        assertRefused(source, "f.py:4: the parameter 'day' is required and has no default, but @schedule starts the flow");
        assertThat(compile(source.replace("required=True", "required=True, default='today'")).schedule()).isPresent();
    }

    @Test
    void triggerOnFinish_bareName_withoutProject_isTheUpstreamFlowName() throws IOException {
        CompiledFlow compiled = compile(flow("@trigger_on_finish(flow='UpFlow')"));
        assertThat(compiled.finishTriggers()).containsExactly(
                new CompiledFlow.FinishTrigger("UpFlow", Optional.empty(), Optional.empty(), "UpFlow"));
        assertThat(compile(flow("@trigger_on_finish(flows=['UpFlow'])")).finishTriggers()).isEqualTo(compiled.finishTriggers());
        assertThat(compile(flow("@trigger_on_finish(flow={'name': 'UpFlow'})")).finishTriggers()).isEqualTo(compiled.finishTriggers());
    }

    @ParameterizedTest(name = "branch={0} production={1} owner={2} -> {3}")
    @CsvSource(nullValues = "null", value = {
            "null,      true,  null,  reports.prod.UpFlow",
            "staging,   true,  null,  reports.prod.staging.UpFlow",
            "feature_x, false, null,  reports.test.feature_x.UpFlow",
            "null,      false, alice, reports.user.alice.UpFlow"})
    void triggerOnFinish_bareName_resolvesInThisDeploymentsProjectAndBranch(String branch, boolean production, String owner,
                                                                           String upstream) throws IOException {
        CompiledFlow compiled = compile(flow("@project(name='reports')\n@trigger_on_finish(flow='UpFlow')"),
                options(branch, production, owner));
        assertThat(compiled.finishTriggers()).singleElement().satisfies(t -> {
            assertThat(t.stateMachineName()).isEqualTo(upstream);
            assertThat(t.project()).contains("reports");
            assertThat(t.flow()).isEqualTo("UpFlow");
        });
        // the upstream sits beside this flow: same project, same branch
        assertThat(compiled.stateMachineName()).isEqualTo(upstream.replace("UpFlow", "DownFlow"));
    }

    @Test
    void triggerOnFinish_fullyQualifiedAndDictForms_overrideProjectOrBranch() throws IOException {
        String onProject = "@project(name='reports')\n";
        assertThat(upstream(flow(onProject + "@trigger_on_finish(flow='ingest.prod.UpFlow')"))).isEqualTo("ingest.prod.UpFlow");
        // a branch may hold dots: project = before the first dot, flow = after the last
        assertThat(compile(flow("@trigger_on_finish(flow='ingest.test.my_branch.UpFlow')")).finishTriggers()).containsExactly(
                new CompiledFlow.FinishTrigger("UpFlow", Optional.of("ingest"), Optional.of("test.my_branch"),
                        "ingest.test.my_branch.UpFlow"));
        assertThat(upstream(flow(onProject + "@trigger_on_finish(flow={'name': 'UpFlow', 'project': 'ingest'})")))
                .isEqualTo("ingest.prod.UpFlow");
        assertThat(upstream(flow(onProject + "@trigger_on_finish(flow={'name': 'UpFlow', 'project_branch': 'prod.staging'})")))
                .isEqualTo("reports.prod.staging.UpFlow");
        assertThat(upstream(flow("@trigger_on_finish(flows=[{'name': 'UpFlow', 'project': 'ingest', 'project_branch': 'prod'}])")))
                .isEqualTo("ingest.prod.UpFlow");
    }

    @Test
    void triggerOnFinish_followsTheStateMachinePrefixAndMetaflowsLongNameCut() throws IOException {
        Map<String, String> config = new HashMap<>(Map.of("METAFLOW_DATASTORE_SYSROOT_S3", "s3://b/m",
                "METAFLOW_SERVICE_URL", "https://m", "METAFLOW_BATCH_JOB_QUEUE", "q", "METAFLOW_SFN_IAM_ROLE", "arn:r",
                "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:j", "METAFLOW_SFN_DYNAMO_DB_TABLE", "t",
                "METAFLOW_SFN_STATE_MACHINE_PREFIX", "team"));
        CompileOptions prefixed = CompileOptions.builder().settings(DeploymentSettings.fromConfig(config))
                .production(true).build();
        assertThat(compile(flow("@trigger_on_finish(flow='UpFlow')"), prefixed).finishTriggers().get(0).stateMachineName())
                .isEqualTo("team_UpFlow");
        String longFlow = "Up" + "x".repeat(70) + "Flow";
        String cut = compile(flow("@project(name='reports')\n@trigger_on_finish(flow='" + longFlow + "')"), prefixed)
                .finishTriggers().get(0).stateMachineName();
        assertThat(cut).hasSize(77).startsWith("team_reports.prod.Upxxx").matches(".{60}-[a-z2-7]{16}");
        // the same cut the upstream's own deployment gets
        String upstreamSource = flow("@project(name='reports')").replace("DownFlow", longFlow);
        assertThat(compile(upstreamSource, prefixed).stateMachineName()).isEqualTo(cut);
    }

    @Test
    void triggerOnFinish_severalUpstreams_waitForAllOfThemInAGateBeforeTheFlow() throws IOException {
        CompiledFlow compiled = compile(flow("@trigger_on_finish(flows=['AFlow', 'BFlow'])"));
        assertThat(compiled.finishTriggers()).extracting(CompiledFlow.FinishTrigger::stateMachineName).containsExactly("AFlow", "BFlow");
        JsonNode definition = FlowgateJson.parse(compiled.definitionJson());
        assertThat(definition.get("StartAt").asText()).isEqualTo("trigger_on_finish?");
        JsonNode states = definition.get("States");
        assertThat(states.at("/trigger_on_finish?/Default").asText()).isEqualTo("trigger_on_finish:none");
        assertThat(states.at("/trigger_on_finish:none/Next").asText()).as("a manual start runs the flow").isEqualTo("start");
        assertThat(states.at("/trigger_on_finish:from:AFlow/Parameters/option.$").asText())
                .as("current.trigger: Metaflow's --trigger <Flow>/<run> for the start step")
                .startsWith("States.Format('--trigger AFlow/sfn-{}'");
        assertThat(states.at("/trigger_on_finish:from:BFlow/Next").asText()).isEqualTo("trigger_on_finish:record");
        assertThat(states.at("/trigger_on_finish:record/Parameters/UpdateExpression").asText()).isEqualTo("ADD finished :upstream");
        assertThat(states.at("/trigger_on_finish:record/Parameters/Key/pathspec/S").asText()).isEqualTo("trigger_on_finish#DownFlow");
        assertThat(states.at("/trigger_on_finish:all_finished?/Choices/0/NumericGreaterThanEquals").asInt()).isEqualTo(2);
        assertThat(states.at("/trigger_on_finish:reset/Next").asText()).isEqualTo("start");
        assertThat(states.at("/trigger_on_finish:reset/Catch/0/Next").asText()).as("a concurrent start wins the reset")
                .isEqualTo("trigger_on_finish:waiting");
        assertThat(states.has("start")).isTrue();

        JsonNode single = FlowgateJson.parse(compile(flow("@trigger_on_finish(flow='AFlow')")).definitionJson());
        assertThat(single.at("/States/trigger_on_finish:from:AFlow/Next").asText()).as("one upstream needs no count")
                .isEqualTo("start");
        assertThat(single.at("/States").has("trigger_on_finish:record")).isFalse();
        assertThat(single.at("/States/start/Parameters/ContainerOverrides/Command/2").asText())
                .contains("--with=step_functions_internal $FLOWGATE_TRIGGER_OPTION init", "--with=step_functions_internal $FLOWGATE_TRIGGER_OPTION step start");
        assertThat(single.at("/States/start/Parameters/Parameters/trigger_option.$").asText()).isEqualTo("$.flowgate_trigger_option.option");
        assertThat(single.at("/States/end/Parameters/Parameters/trigger_option.$").asText())
                .as("carried from step to step like the run id").isEqualTo("$.Parameters.trigger_option");
        assertThat(single.at("/States/end/Parameters/ContainerOverrides/Command/2").asText()).contains("$FLOWGATE_TRIGGER_OPTION step end");
        assertThat(single.at("/States/trigger_on_finish:none/Result/option").asText()).as("a blank, dropped by the shell").isEqualTo(" ");
    }

    @Test
    void triggerOnFinish_longUpstreamNames_keepStateNamesWithinStepFunctionsLimit() throws IOException {
        String longFlow = "Upstream" + "X".repeat(60) + "Flow";
        JsonNode states = FlowgateJson.parse(compile(flow("@project(name='reports')\n@trigger_on_finish(flows=['" + longFlow
                + "', 'BFlow'])")).definitionJson()).get("States");
        List<String> names = new java.util.ArrayList<>();
        states.fieldNames().forEachRemaining(names::add);
        assertThat(names).allSatisfy(n -> assertThat(n.length()).as(n).isLessThanOrEqualTo(80));
        assertThat(names).anySatisfy(n -> assertThat(n).startsWith("trigger_on_finish:from:reports.prod.Upstream").endsWith("#1"));
        assertThat(states.at("/trigger_on_finish?/Choices/0/Next").asText()).endsWith("#1");
    }

    @Test
    void triggerOnFinish_badForms_areRefusedNamingTheLineAndTheFix() {
        assertRefused(flow("@trigger_on_finish(flow='ingest.UpFlow')"), "f.py:2:", "neither a flow name nor project.branch.FlowName");
        assertRefused(flow("@trigger_on_finish(flow='UpFlow', flows=['OtherFlow'])"), "f.py:2:", "both flow= and flows=");
        assertRefused(flow("@trigger_on_finish()"), "f.py:2: @trigger_on_finish names no upstream flow");
        assertRefused(flow("@trigger_on_finish('UpFlow')"), "f.py:2: @trigger_on_finish takes keyword arguments only");
        assertRefused(flow("@trigger_on_finish(flow={'project': 'ingest'})"), "f.py:2:", "has no 'name'");
        assertRefused(flow("@trigger_on_finish(flow={'name': 'ingest.UpFlow'})"), "f.py:2:", "without dots");
        assertRefused(flow("@trigger_on_finish(flow={'name': 'UpFlow', 'branch': 'prod'})"), "f.py:2:",
                "is not one of 'name', 'project', 'project_branch'");
        assertRefused(flow("@trigger_on_finish(flows=upstream_flows())"), "f.py:2:", "must be a list written in the file");
        assertRefused(flow("@trigger_on_finish(flow=UPSTREAM)"), "f.py:2:", "is not a flow name or a dict written in the file");
        assertRefused(flow("@trigger_on_finish(flow='Up-Flow')"), "f.py:2:", "is not a flow name (letters, digits and underscores");
        assertRefused(flow("@trigger_on_finish(flow={'name': 'UpFlow', 'project': 'ingest'})"), "f.py:2:",
                "has a project but no branch", "Fix: give both 'project' and 'project_branch', or add @project");
        assertRefused(flow("@trigger_on_finish(flow='DownFlow')"), "f.py:2:", "names this flow itself");
        assertRefused(flow("@trigger_on_finish(flow='UpFlow', options={'reset_at': {'cron': '0 0 * * ? *'}})"), "f.py:2:",
                "Argo Events");
        assertRefused(flow("@trigger_on_finish(flow='Ingest.prod.UpFlow')"), "f.py:2:", "the project 'Ingest' may only hold lowercase");
        assertRefused(flow("@trigger_on_finish(flow='ingest.pr od.UpFlow')"), "f.py:2:", "is not a Metaflow branch");
    }

    @Test
    void triggerOnFinish_withARequiredParameterWithoutDefault_isRefused() {
        String source = flow("@trigger_on_finish(flow='UpFlow')").replace("class DownFlow(FlowSpec):\n",
                "class DownFlow(FlowSpec):\n    day = Parameter('day', required=True)\n");
        assertRefused(source, "f.py:4: the parameter 'day' is required and has no default, but @trigger_on_finish starts");
    }

    @Test
    void trigger_remainsRefused() {
        assertRefused(flow("@trigger(event='data_ready')").replace("trigger_on_finish\n", "trigger_on_finish, trigger\n"),
                "f.py:2: @trigger is not supported");
    }

    @Test
    void scheduleAndTrigger_together_areBothKept() throws IOException {
        CompiledFlow compiled = compile(flow("@schedule(cron='0 3 * * ? *', timezone='Asia/Tokyo')\n@trigger_on_finish(flow='UpFlow')"));
        assertThat(compiled.schedule()).map(CompiledFlow.Schedule::timezone).contains(Optional.of("Asia/Tokyo"));
        assertThat(compiled.finishTriggers()).extracting(CompiledFlow.FinishTrigger::stateMachineName).isEqualTo(List.of("UpFlow"));
    }

    private static String upstream(String source) throws IOException {
        return compile(source).finishTriggers().get(0).stateMachineName();
    }
}

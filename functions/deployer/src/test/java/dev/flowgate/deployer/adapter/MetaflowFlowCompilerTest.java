package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.ProjectBranch;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.ProjectManifest.StepFunctionsOptions;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
import dev.flowgate.deployer.port.FlowCompiler.CompiledFlow;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compile stage on the real flow compiler library. */
public class MetaflowFlowCompilerTest {
    public static final String FLOW = """
            from metaflow import FlowSpec, step, project, schedule

            @project(name="demo")
            @schedule(cron="0 3 * * ? *")
            class DemoFlow(FlowSpec):
                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;
    static final Map<String, String> SETTINGS = Map.of(
            "METAFLOW_DATASTORE_SYSROOT_S3", "s3://flowgate-datastore/metaflow",
            "METAFLOW_BATCH_JOB_QUEUE", "arn:aws:batch:us-east-1:123456789012:job-queue/q",
            "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch",
            "METAFLOW_SERVICE_URL", "https://metadata.example.com");
    static final String URL = "s3://flowgate-datastore/metaflow/DemoFlow/data/ab/" + "ab".repeat(20);
    final MetaflowFlowCompiler compiler = new MetaflowFlowCompiler();

    static CompileRequest request(String source, String flow, ProjectBranch branch) {
        return demoFlow().flowSource(source).flowName(flow).projectBranch(branch)
                .productionToken("mfprj-abc-0-wxyz").build();
    }

    /** DemoFlow in production from the package at {@link #URL}. */
    static CompileRequest.Builder demoFlow() {
        return CompileRequest.builder().flowSource(FLOW).fileName("demoflow.py").flowName("DemoFlow").settings(SETTINGS)
                .codePackageUrl(URL).codePackageSha("ab".repeat(20)).codePackageLayout(1)
                .projectBranch(ProjectBranch.production()).productionToken("t").owner("flowgate");
    }

    @Test
    void compile_productionPointsTheStateMachineAtTheVerifiedPackage() {
        CompiledFlow compiled = compiler.compile(request(FLOW, "DemoFlow", ProjectBranch.production()));
        assertThat(compiled.stateMachineName()).isEqualTo("demo.prod.DemoFlow");
        assertThat(compiled.definitionJson()).contains(URL).contains("mfprj-abc-0-wxyz");
        assertThat(compiled.schedule()).contains(FlowCompiler.Schedule.utc("cron(0 3 * * ? *)"));
        assertThat(compiled.triggeredBy()).isEmpty();
        assertThat(compiled.jobDefinitions()).isNotEmpty()
                .allSatisfy(j -> assertThat(compiled.definitionJson()).contains(j.name()));
    }

    @Test
    void compile_appliesTheFlowsStepFunctionsOptionsFromTheManifest() {
        String foreach = """
                from metaflow import FlowSpec, step

                class WideFlow(FlowSpec):
                    @step
                    def start(self):
                        self.ids = list(range(5000))
                        self.next(self.score, foreach="ids")

                    @step
                    def score(self):
                        self.next(self.join)

                    @step
                    def join(self, inputs):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """;
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("METAFLOW_SFN_DYNAMO_DB_TABLE", "sfn-foreach");
        CompileRequest.Builder wide = demoFlow().flowSource(foreach).fileName("wide.py").flowName("WideFlow").settings(settings);
        CompiledFlow compiled = compiler.compile(wide.options(new StepFunctionsOptions(true, 2000, 3600,
                java.util.List.of("team:fraud", "nightly run"))).build());
        JsonNode definition = FlowgateJson.parse(compiled.definitionJson());
        // flowgate.yaml's tags: on init and on every step, as Metaflow's step-functions create --tag
        assertThat(definition.at("/States/start/Parameters/ContainerOverrides/Command/2").asText())
                .contains("-params --tag team:fraud --tag 'nightly run'; fi")
                .contains("step start --run-id sfn-$METAFLOW_RUN_ID")
                .containsPattern("step start .* --tag team:fraud --tag 'nightly run'\\)");
        assertThat(definition.path("TimeoutSeconds").asInt()).isEqualTo(3600);
        assertThat(definition.path("States").path("*score").path("ItemProcessor").path("ProcessorConfig").path("Mode").asText())
                .isEqualTo("DISTRIBUTED");
        assertThat(definition.path("States").path("*score").path("MaxConcurrency").asInt()).isEqualTo(2000);

        JsonNode plain = FlowgateJson.parse(compiler.compile(wide.options(null).build()).definitionJson());
        assertThat(plain.has("TimeoutSeconds")).isFalse();
        assertThat(plain.path("States").path("*score").path("Iterator").path("ProcessorConfig").path("Mode").asText()).isEqualTo("INLINE");
        assertThat(plain.path("States").path("*score").path("MaxConcurrency").asInt()).isEqualTo(100);
    }

    @Test
    void compile_carriesTheTimezoneAndTheUpstreamOfTheSameProjectBranch() {
        String source = FLOW.replace("@schedule(cron=\"0 3 * * ? *\")",
                        "@schedule(cron=\"0 3 * * ? *\", timezone=\"America/New_York\")\n@trigger_on_finish(flow=\"IngestFlow\")")
                .replace("import FlowSpec, step, project, schedule", "import FlowSpec, step, project, schedule, trigger_on_finish");
        CompiledFlow prod = compiler.compile(request(source, "DemoFlow", ProjectBranch.production()));
        assertThat(prod.schedule()).contains(new FlowCompiler.Schedule("cron(0 3 * * ? *)", Optional.of("America/New_York")));
        assertThat(prod.triggeredBy()).containsExactly("demo.prod.IngestFlow");
        assertThat(compiler.compile(request(source, "DemoFlow", ProjectBranch.experimental("feature_x"))).triggeredBy())
                .containsExactly("demo.test.feature_x.IngestFlow");
    }

    @Test
    void compile_experimentalBranchUsesTheTestBranchName() {
        assertThat(compiler.compile(request(FLOW, "DemoFlow", ProjectBranch.experimental("feature_x"))).stateMachineName())
                .isEqualTo("demo.test.feature_x.DemoFlow");
    }

    @Test
    void compile_refusalsAreTypedCompileFailures() {
        assertThatThrownBy(() -> compiler.compile(request(FLOW, "OtherFlow", ProjectBranch.production())))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("defines DemoFlow");
        assertThatThrownBy(() -> compiler.compile(request(FLOW.replace("self.next(self.end)", "self.next(self.nope)"),
                "DemoFlow", ProjectBranch.production())))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> compiler.compile(demoFlow().settings(Map.of()).codePackageSha("x").build()))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("deployment settings");
    }

    @Test
    void compile_carriesTheSha256IntoEveryContainer_andRefusesALocationAShellCouldRead() {
        String sha256 = "7".repeat(64);
        CompileRequest verified = demoFlow().codePackageSha256(sha256).build();
        assertThat(compiler.compile(verified).definitionJson()).contains("echo '" + sha256 + "  job.tar' | sha256sum -c");

        CompileRequest hostile = verified.toBuilder().codePackageUrl(URL + "';touch$IFS/tmp/x;'").build();
        assertThatThrownBy(() -> compiler.compile(hostile)).isInstanceOf(DeployError.CompileFailed.class)
                .hasMessageContaining("code package URL").hasMessageContaining("letters, digits and _.-/ only");
    }
}

package dev.flowgate.deployer.adapter;

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

    static CompileRequest request(String source, String flow, String branch, boolean production) {
        return new CompileRequest(source, "demoflow.py", flow, SETTINGS, URL, "ab".repeat(20), 1, branch, production,
                "mfprj-abc-0-wxyz", "flowgate", null);
    }

    @Test
    void compile_productionPointsTheStateMachineAtTheVerifiedPackage() {
        CompiledFlow compiled = compiler.compile(request(FLOW, "DemoFlow", "prod", true));
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
        CompiledFlow compiled = compiler.compile(new CompileRequest(foreach, "wide.py", "WideFlow", settings, URL, "ab".repeat(20), 1,
                "prod", true, "t", "flowgate", new StepFunctionsOptions(true, 2000, 3600)));
        JsonNode definition = FlowgateJson.parse(compiled.definitionJson());
        assertThat(definition.path("TimeoutSeconds").asInt()).isEqualTo(3600);
        assertThat(definition.path("States").path("*score").path("ItemProcessor").path("ProcessorConfig").path("Mode").asText())
                .isEqualTo("DISTRIBUTED");
        assertThat(definition.path("States").path("*score").path("MaxConcurrency").asInt()).isEqualTo(2000);

        JsonNode plain = FlowgateJson.parse(compiler.compile(new CompileRequest(foreach, "wide.py", "WideFlow", settings, URL,
                "ab".repeat(20), 1, "prod", true, "t", "flowgate", null)).definitionJson());
        assertThat(plain.has("TimeoutSeconds")).isFalse();
        assertThat(plain.path("States").path("*score").path("Iterator").path("ProcessorConfig").path("Mode").asText()).isEqualTo("INLINE");
        assertThat(plain.path("States").path("*score").path("MaxConcurrency").asInt()).isEqualTo(100);
    }

    @Test
    void compile_carriesTheTimezoneAndTheUpstreamOfTheSameProjectBranch() {
        String source = FLOW.replace("@schedule(cron=\"0 3 * * ? *\")",
                        "@schedule(cron=\"0 3 * * ? *\", timezone=\"America/New_York\")\n@trigger_on_finish(flow=\"IngestFlow\")")
                .replace("import FlowSpec, step, project, schedule", "import FlowSpec, step, project, schedule, trigger_on_finish");
        CompiledFlow prod = compiler.compile(request(source, "DemoFlow", "prod", true));
        assertThat(prod.schedule()).contains(new FlowCompiler.Schedule("cron(0 3 * * ? *)", Optional.of("America/New_York")));
        assertThat(prod.triggeredBy()).containsExactly("demo.prod.IngestFlow");
        assertThat(compiler.compile(request(source, "DemoFlow", "test.feature_x", false)).triggeredBy())
                .containsExactly("demo.test.feature_x.IngestFlow");
    }

    @Test
    void compile_experimentalBranchUsesTheTestBranchName() {
        assertThat(compiler.compile(request(FLOW, "DemoFlow", "test.feature_x", false)).stateMachineName())
                .isEqualTo("demo.test.feature_x.DemoFlow");
    }

    @Test
    void compile_refusalsAreTypedCompileFailures() {
        assertThatThrownBy(() -> compiler.compile(request(FLOW, "OtherFlow", "prod", true)))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("defines DemoFlow");
        assertThatThrownBy(() -> compiler.compile(request(FLOW.replace("self.next(self.end)", "self.next(self.nope)"),
                "DemoFlow", "prod", true)))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> compiler.compile(new CompileRequest(FLOW, "demoflow.py", "DemoFlow", Map.of(), URL, "x", 1,
                "prod", true, "t", "flowgate", null)))
                .isInstanceOf(DeployError.CompileFailed.class).hasMessageContaining("deployment settings");
    }

    @Test
    void compile_carriesTheSha256IntoEveryContainer_andRefusesALocationAShellCouldRead() {
        String sha256 = "7".repeat(64);
        CompileRequest verified = new CompileRequest(FLOW, "demoflow.py", "DemoFlow", SETTINGS, URL, "ab".repeat(20), 1, "prod",
                true, "t", "flowgate", null, null, Map.of(), Map.of(), sha256);
        assertThat(compiler.compile(verified).definitionJson()).contains("echo '" + sha256 + "  job.tar' | sha256sum -c");

        CompileRequest hostile = new CompileRequest(FLOW, "demoflow.py", "DemoFlow", SETTINGS, URL + "';touch$IFS/tmp/x;'",
                "ab".repeat(20), 1, "prod", true, "t", "flowgate", null, null, Map.of(), Map.of(), sha256);
        assertThatThrownBy(() -> compiler.compile(hostile)).isInstanceOf(DeployError.CompileFailed.class)
                .hasMessageContaining("code package URL").hasMessageContaining("letters, digits and _.-/ only");
    }
}

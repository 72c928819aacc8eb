package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The resolved {@code --with 'batch:…'} spec of each step (checked byte for byte against Metaflow 2.19.39's
 * output in e2e/test_compiler_vs_metaflow.py; here its rules) and the split of the environment between the job
 * definition (what every step shares) and each state's container overrides (what only the step has).
 */
class DeploymentEnvironmentTest {
    private static final String QUEUE = "arn:aws:batch:us-east-1:123456789012:job-queue/on-demand";
    private static final String ROLE = "arn:aws:iam::123456789012:role/batch-job";

    private static Map<String, String> config(String... extra) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("METAFLOW_DATASTORE_SYSROOT_S3", "s3://test-datastore/metaflow");
        config.put("METAFLOW_SERVICE_URL", "https://metadata.example.com");
        config.put("METAFLOW_BATCH_JOB_QUEUE", QUEUE);
        config.put("METAFLOW_BATCH_CONTAINER_IMAGE", "python:3.11");
        config.put("METAFLOW_ECS_S3_ACCESS_IAM_ROLE", ROLE);
        config.put("METAFLOW_SFN_DYNAMO_DB_TABLE", "sfn-foreach");
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    private static CompiledFlow compile(String source, Map<String, String> config) {
        FlowGraph graph = FlowCompiler.parse("flows/env_flow.py", source);
        return FlowCompiler.compile(graph, options(config, "s3://test-datastore/metaflow/EnvFlow/data/ab/abc", "abc"));
    }

    private static CompileOptions options(Map<String, String> config, String codePackageUrl, String codePackageSha) {
        return CompileOptions.builder().settings(DeploymentSettings.fromConfig(config))
                .codePackageUrl(codePackageUrl).codePackageSha(codePackageSha)
                .production(true).productionToken("token").owner("ci").metaflowVersion("2.19.39").build();
    }

    private static String flow(String startDecorators, String endDecorators) {
        return """
                from metaflow import FlowSpec, step, resources, environment, batch


                class EnvFlow(FlowSpec):
                    %s
                    @step
                    def start(self):
                        self.next(self.end)

                    %s
                    @step
                    def end(self):
                        pass
                """.formatted(startDecorators, endDecorators);
    }

    private static String command(JsonNode state) {
        return state.at("/Parameters/ContainerOverrides/Command/2").asText();
    }

    private static Map<String, String> overrides(JsonNode state) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : state.at("/Parameters/ContainerOverrides/Environment")) {
            env.put(e.get("Name").asText(), e.has("Value") ? e.get("Value").asText() : "$:" + e.get("Value.$").asText());
        }
        return env;
    }

    private static Map<String, String> jobDefinitionEnvironment(CompiledFlow compiled, JsonNode state) {
        String name = state.at("/Parameters/JobDefinition").asText();
        CompiledFlow.JobDefinition definition = compiled.jobDefinitions().stream().filter(d -> d.name().equals(name))
                .findFirst().orElseThrow();
        Map<String, String> env = new HashMap<>();
        FlowgateJson.parse(definition.registrationJson()).at("/containerProperties/environment")
                .forEach(e -> env.put(e.get("name").asText(), e.get("value").asText()));
        return env;
    }

    @Test
    void stepWithoutBatch_getsTheDecoratorMetaflowAttaches_withResolvedResourcesInMetaflowsOrder() {
        JsonNode states = FlowgateJson.parse(compile(flow("@resources(cpu=0.5, memory=\"8192\", shared_memory=1024)", ""),
                config()).definitionJson()).get("States");

        String expectedStart = "--with 'batch:cpu=0.5,gpu=0,memory=8192,image=python:3.11,queue=" + QUEUE + ",iam_role=" + ROLE
                + ",shared_memory=1024,use_tmpfs=False,aws_batch_tags={},tmpfs_tempdir=True,tmpfs_path=/metaflow_temp,privileged=False'";
        String start = command(states.get("start"));
        int first = start.indexOf(expectedStart);
        int second = start.indexOf(expectedStart, first + 1);
        assertThat(first).as("the spec is on the init command").isPositive().isLessThan(start.indexOf(" init --run-id"));
        assertThat(second).as("and on the step command").isGreaterThan(start.indexOf(" init --run-id"))
                .isLessThan(start.indexOf(" step start "));
        assertThat(command(states.get("end"))).contains("--with 'batch:cpu=1,gpu=0,memory=4096,image=python:3.11,");
    }

    @Test
    void batchArgumentsGivenAsNone_compileAsMetaflowsDefaults_asARunsRecordWritesThem() {
        String withNone = compile(flow("@batch(host_volumes=None, shared_memory=None, efa=None, queue=None)", ""), config())
                .definitionJson();
        String plain = compile(flow("@batch()", ""), config()).definitionJson();
        assertThat(withNone).isEqualTo(plain);
    }

    @Test
    void numbersArePrintedAsPythonsStrPrintsThem() {
        JsonNode states = FlowgateJson.parse(compile(flow("@resources(cpu=4.0, memory=16_000, gpu=1)", ""),
                config()).definitionJson()).get("States");
        assertThat(command(states.get("start"))).contains("--with 'batch:cpu=4.0,gpu=1,memory=16000,image=");
        assertThat(states.at("/start/Parameters/ContainerOverrides/ResourceRequirements").findValuesAsText("Value"))
                .containsExactly("4", "1", "16000");
    }

    @Test
    void stepWithItsOwnBatchDecorator_getsNoSpec_theContainerReadsItFromTheCode() {
        JsonNode states = FlowgateJson.parse(compile(flow("@batch(cpu=2)", ""), config()).definitionJson()).get("States");
        assertThat(command(states.get("start"))).doesNotContain("--with 'batch").doesNotContain("--with=batch");
        assertThat(command(states.get("end"))).contains("--with 'batch:");
    }

    @Test
    void fargateRoleAndDefaultTagsFromTheSettings_areInTheSpec_asMetaflowPrintsThem() {
        JsonNode states = FlowgateJson.parse(compile(flow("", ""), config(
                "METAFLOW_ECS_FARGATE_EXECUTION_ROLE", "arn:aws:iam::123456789012:role/fargate",
                "METAFLOW_BATCH_DEFAULT_TAGS", "{\"team\": \"ml\", \"cost-center\": \"it's\"}")).definitionJson()).get("States");
        assertThat(command(states.get("end"))).contains("iam_role=" + ROLE + ",execution_role=arn:aws:iam::123456789012:role/fargate,"
                + "use_tmpfs=False,aws_batch_tags={\\\"team\\\": \\\"ml\\\", \\\"cost-center\\\": \\\"it'\"'\"'s\\\"},tmpfs_tempdir=True");
    }

    @Test
    void badDefaultTags_areRefusedNamingTheSetting() {
        assertThatThrownBy(() -> DeploymentSettings.fromConfig(config("METAFLOW_BATCH_DEFAULT_TAGS", "[1]")))
                .hasMessageContaining("METAFLOW_BATCH_DEFAULT_TAGS");
        assertThatThrownBy(() -> DeploymentSettings.fromConfig(config("METAFLOW_BATCH_DEFAULT_TAGS", "{\"a\": 1}")))
                .hasMessageContaining("'a'");
    }

    @Test
    void sharedEnvironmentLivesInTheJobDefinition_stepEnvironmentInTheOverrides() {
        CompiledFlow compiled = compile(flow("@environment(vars={\"MODE\": \"fast\", \"METAFLOW_SERVICE_URL\": \"http://elsewhere\"})",
                ""), config());
        JsonNode states = FlowgateJson.parse(compiled.definitionJson()).get("States");
        List<Map<String, String>> shared = new ArrayList<>();
        for (String step : List.of("start", "end")) {
            Map<String, String> own = overrides(states.get(step));
            Map<String, String> jobDefinition = jobDefinitionEnvironment(compiled, states.get(step));
            shared.add(jobDefinition);
            assertThat(own).containsKeys("METAFLOW_STEP_NAME", "METAFLOW_RUN_ID", "METAFLOW_INPUT_PATHS");
            assertThat(own.keySet()).as("nothing is set in both places").doesNotContainAnyElementsOf(jobDefinition.keySet());
            assertThat(jobDefinition).containsEntry("METAFLOW_CODE_URL", "s3://test-datastore/metaflow/EnvFlow/data/ab/abc")
                    .containsEntry("METAFLOW_CODE_SHA", "abc").containsEntry("METAFLOW_FLOW_NAME", "EnvFlow")
                    .containsEntry("METAFLOW_PRODUCTION_TOKEN", "token");
        }
        assertThat(overrides(states.get("start"))).containsEntry("MODE", "fast");
        assertThat(shared.get(0)).as("as in Metaflow, a user variable cannot replace a value Metaflow sets")
                .containsEntry("METAFLOW_SERVICE_URL", "https://metadata.example.com");
        assertThat(overrides(states.get("start"))).doesNotContainKey("METAFLOW_SERVICE_URL");
        assertThat(shared.get(0)).isEqualTo(shared.get(1));
    }

    /** Metaflow 2.19's batch.py create_job: card root and OpenTelemetry settings reach every container (issue 13). */
    @Test
    void cardRootTelemetryAndSecretsSettings_reachEveryContainer_asMetaflowForwardsThem() {
        CompiledFlow defaults = compile(flow("", ""), config());
        JsonNode start = FlowgateJson.parse(defaults.definitionJson()).at("/States/start");
        assertThat(jobDefinitionEnvironment(defaults, start))
                .containsEntry("METAFLOW_CARD_S3ROOT", "s3://test-datastore/metaflow/mf.cards")
                .containsEntry("METAFLOW_OTEL_SERVICE_NAME", "metaflow")
                .doesNotContainKeys("METAFLOW_OTEL_ENDPOINT", "METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE",
                        "METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION", "METAFLOW_S3_SERVER_SIDE_ENCRYPTION");

        CompiledFlow custom = compile(flow("", ""), config("METAFLOW_CARD_S3ROOT", "s3://cards-bucket/team/cards",
                "OTEL_ENDPOINT", "http://collector:4318/v1/traces", "METAFLOW_OTEL_SERVICE_NAME", "ranking",
                "METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE", "aws-secrets-manager",
                "METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION", "eu-west-1", "METAFLOW_S3_SERVER_SIDE_ENCRYPTION", "aws:kms"));
        for (JsonNode state : List.of(FlowgateJson.parse(custom.definitionJson()).at("/States/start"),
                FlowgateJson.parse(custom.definitionJson()).at("/States/end"))) {
            assertThat(jobDefinitionEnvironment(custom, state))
                    .containsEntry("METAFLOW_CARD_S3ROOT", "s3://cards-bucket/team/cards")
                    .containsEntry("METAFLOW_OTEL_ENDPOINT", "http://collector:4318/v1/traces")
                    .containsEntry("METAFLOW_OTEL_SERVICE_NAME", "ranking")
                    .containsEntry("METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE", "aws-secrets-manager")
                    .containsEntry("METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION", "eu-west-1")
                    .containsEntry("METAFLOW_S3_SERVER_SIDE_ENCRYPTION", "aws:kms");
        }
    }

    @Test
    void aNewCodePackage_getsNewJobDefinitions_soOlderVersionsKeepTheirs() {
        CompiledFlow first = compile(flow("", ""), config());
        FlowGraph graph = FlowCompiler.parse("flows/env_flow.py", flow("", ""));
        CompiledFlow second = FlowCompiler.compile(graph,
                options(config(), "s3://test-datastore/metaflow/EnvFlow/data/cd/cde", "cde"));
        assertThat(first.jobDefinitions().get(0).name()).isNotEqualTo(second.jobDefinitions().get(0).name());
        assertThat(compile(flow("", ""), config()).jobDefinitions()).isEqualTo(first.jobDefinitions());
    }

    @Test
    void shellQuote_isPythonsShlexQuote() {
        assertThat(BatchDecoratorSpec.shellQuote("batch:cpu=1,queue=a/b")).isEqualTo("batch:cpu=1,queue=a/b");
        assertThat(BatchDecoratorSpec.shellQuote("batch:tags={}")).isEqualTo("'batch:tags={}'");
        assertThat(BatchDecoratorSpec.shellQuote("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(BatchDecoratorSpec.shellQuote("")).isEqualTo("''");
    }
}

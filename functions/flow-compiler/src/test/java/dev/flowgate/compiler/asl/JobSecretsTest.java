package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The jobs' metadata API key travels by reference (a job-definition secret), never as a value in a definition. */
class JobSecretsTest {
    private static final String SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:flowgate-production-jobs-key-AbCdEf";
    private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/flowgate-batch-execution";
    private static final String FLOW = """
            from metaflow import FlowSpec, step


            class KeyFlow(FlowSpec):
                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;

    private static Map<String, String> config(String... extra) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("METAFLOW_DATASTORE_SYSROOT_S3", "s3://test-datastore/metaflow");
        config.put("METAFLOW_SERVICE_URL", "https://metadata.example.com");
        config.put("METAFLOW_BATCH_JOB_QUEUE", "arn:aws:batch:us-east-1:123456789012:job-queue/on-demand");
        config.put("METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch-job");
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    private static CompiledFlow compile(Map<String, String> config) {
        return FlowCompiler.compile(FlowCompiler.parse("flows/key_flow.py", FLOW), CompileOptions.builder()
                .settings(DeploymentSettings.fromConfig(config)).codePackageUrl("s3://test-datastore/metaflow/KeyFlow/data/ab/abc")
                .codePackageSha("abc").production(true).productionToken("token").owner("ci").metaflowVersion("2.19.39").build());
    }

    @Test
    void compile_withAKeySecret_namesItInEveryJobDefinitionsSecrets_withTheExecutionRole_andNoHeaderCarriesIt() {
        CompiledFlow compiled = compile(config("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", SECRET,
                "METAFLOW_BATCH_EXECUTION_ROLE", EXECUTION_ROLE));

        assertThat(compiled.jobDefinitions()).isNotEmpty().allSatisfy(definition -> {
            JsonNode container = FlowgateJson.parse(definition.registrationJson()).get("containerProperties");
            assertThat(container.get("executionRoleArn").asText()).isEqualTo(EXECUTION_ROLE);
            assertThat(container.get("secrets")).hasSize(1);
            assertThat(container.at("/secrets/0/name").asText()).isEqualTo("METAFLOW_SERVICE_AUTH_KEY");
            assertThat(container.at("/secrets/0/valueFrom").asText()).isEqualTo(SECRET);
            container.get("environment").forEach(e -> assertThat(e.get("name").asText())
                    .isNotEqualTo("METAFLOW_SERVICE_AUTH_KEY"));
        });
        assertThat(compiled.definitionJson()).doesNotContain("x-api-key").doesNotContain("METAFLOW_SERVICE_AUTH_KEY");
    }

    @Test
    void compile_withoutAKeySecret_registersNoSecrets() {
        CompiledFlow compiled = compile(config());
        assertThat(compiled.jobDefinitions()).allSatisfy(definition -> assertThat(
                FlowgateJson.parse(definition.registrationJson()).get("containerProperties").has("secrets")).isFalse());
    }

    @Test
    void settings_withAnApiKeyInTheServiceHeaders_areRefused_namingTheSecretSetting() {
        assertThatThrownBy(() -> DeploymentSettings.fromConfig(config("METAFLOW_SERVICE_HEADERS", "{\"X-Api-Key\": \"s3cret\"}")))
                .isInstanceOf(DeploymentSettings.SettingsException.class)
                .hasMessageContaining("METAFLOW_SERVICE_HEADERS").hasMessageContaining("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void settings_withAKeySecretButNoExecutionRole_areRefused_namingTheRoleSetting() {
        assertThatThrownBy(() -> DeploymentSettings.fromConfig(config("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", SECRET)))
                .isInstanceOf(DeploymentSettings.SettingsException.class)
                .hasMessageContaining("METAFLOW_BATCH_EXECUTION_ROLE");
    }
}

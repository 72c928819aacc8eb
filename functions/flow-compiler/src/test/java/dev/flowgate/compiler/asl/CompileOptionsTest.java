package dev.flowgate.compiler.asl;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompileOptionsTest {
    private static final DeploymentSettings SETTINGS = DeploymentSettings.fromConfig(Map.of(
            "METAFLOW_DATASTORE_SYSROOT_S3", "s3://team-datastore/metaflow",
            "METAFLOW_BATCH_JOB_QUEUE", "arn:aws:batch:us-east-1:123456789012:job-queue/q",
            "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch",
            "METAFLOW_SERVICE_URL", "https://metadata.example.com"));

    @Test
    void build_withoutSettings_isRefusedNamingThem() {
        assertThatThrownBy(() -> CompileOptions.builder().production(true).build())
                .isInstanceOf(NullPointerException.class).hasMessage("settings");
    }

    @Test
    void build_withOnlySettings_takesTheDocumentedDefaults() {
        CompileOptions options = CompileOptions.builder().settings(SETTINGS).build();

        assertThat(options.codePackageUrl()).isEqualTo("s3://team-datastore/metaflow/<code-package-url>");
        assertThat(options.codePackageSha256()).isEqualTo(CompileOptions.NO_SHA256);
        assertThat(options.branch()).isNull();
        assertThat(options.production()).isFalse();
        assertThat(options.owner()).isEqualTo("flowgate");
        assertThat(options.maxWorkers()).isEqualTo(100);
        assertThat(options.distributedMap()).isFalse();
        assertThat(options.workflowTimeoutSeconds()).isZero();
        assertThat(options.includedFiles()).isEmpty();
        assertThat(options).isEqualTo(CompileOptions.of(SETTINGS));
    }

    @Test
    void toBuilder_keepsEveryValueNotChanged() {
        CompileOptions options = CompileOptions.builder().settings(SETTINGS)
                .codePackageUrl("s3://team-datastore/metaflow/F/data/ab/abc").codePackageSha("abc")
                .codePackageMetadata("{\"version\": 0}").codePackageSha256("7".repeat(64))
                .branch("feature_x").production(true).productionToken("tok").owner("ann").metaflowVersion("2.19.0")
                .maxWorkers(7).distributedMap(true).workflowTimeoutSeconds(60).includedFiles(Map.of("data", "{}"))
                .build();

        assertThat(options.toBuilder().build()).isEqualTo(options);
        CompileOptions inline = options.toBuilder().distributedMap(false).build();
        assertThat(inline.distributedMap()).isFalse();
        assertThat(inline.toBuilder().distributedMap(true).build()).isEqualTo(options);
    }
}

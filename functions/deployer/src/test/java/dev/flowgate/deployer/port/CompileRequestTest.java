package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.ProjectBranch;
import dev.flowgate.deployer.domain.ProjectManifest.StepFunctionsOptions;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
import dev.flowgate.deployer.port.FlowCompiler.RepositoryFiles;
import dev.flowgate.deployer.port.FlowCompiler.StoredFile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompileRequestTest {
    private static CompileRequest.Builder demoFlow() {
        return CompileRequest.builder().flowSource("class DemoFlow: ...").fileName("demo.py").flowName("DemoFlow")
                .settings(Map.of("METAFLOW_DATASTORE_SYSROOT_S3", "s3://b/metaflow"));
    }

    @Test
    void build_withoutARequiredValue_isRefusedNamingIt() {
        assertThat(demoFlow().build().flowName()).isEqualTo("DemoFlow");
        assertThatThrownBy(() -> demoFlow().flowSource(null).build()).hasMessage("flowSource");
        assertThatThrownBy(() -> demoFlow().fileName(null).build()).hasMessage("fileName");
        assertThatThrownBy(() -> demoFlow().flowName(null).build()).hasMessage("flowName");
        assertThatThrownBy(() -> demoFlow().settings(null).build()).hasMessage("settings");
    }

    @Test
    void build_leftUnset_isAPlaceholderPackageOutsideProduction() {
        CompileRequest request = demoFlow().build();

        assertThat(request.codePackageUrl()).isNull();
        assertThat(request.codePackageSha()).isNull();
        assertThat(request.codePackageSha256()).isNull();
        assertThat(request.codePackageLayout()).isEqualTo(1);
        assertThat(request.projectBranch()).isNull();
        assertThat(request.production()).isFalse();
        assertThat(request.productionToken()).isNull();
        assertThat(request.owner()).isNull();
        assertThat(request.options()).isEqualTo(StepFunctionsOptions.DEFAULT);
        assertThat(request.files()).isSameAs(RepositoryFiles.NONE);
        assertThat(request.configValues()).isEmpty();
        assertThat(request.includedFiles()).isEmpty();
        assertThat(demoFlow().options(null).files(null).configValues(null).includedFiles(null).build())
                .isEqualTo(request);
    }

    @Test
    void toBuilder_keepsEveryValueNotChanged() {
        RepositoryFiles files = path -> java.util.Optional.empty();
        CompileRequest request = demoFlow().codePackageUrl("s3://b/metaflow/DemoFlow/data/ab/abc").codePackageSha("abc")
                .codePackageLayout(0).codePackageSha256("7".repeat(64)).projectBranch(ProjectBranch.production())
                .productionToken("tok").owner("ann").options(new StepFunctionsOptions(true, 50, 60)).files(files)
                .configValues(Map.of("cfg", "{}")).includedFiles(Map.of("data", new StoredFile("s3://b/d", 3)))
                .build();

        assertThat(request.toBuilder().build()).isEqualTo(request);
        assertThat(request.toBuilder().productionToken("other").build().includedFiles()).isEqualTo(request.includedFiles());
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.TestPackages;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime layer of experimental deployments is trusted only when it is, file for file, a pinned wheel. */
class TrustedMetaflowLayerTest {
    static Map<String, byte[]> bytes(Map<String, String> files) {
        Map<String, byte[]> out = new TreeMap<>();
        files.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void theLayerOfThePinnedFiles_isTrusted() {
        assertThat(TrustedMetaflow.layerProblems(bytes(TestPackages.layer()))).isEmpty();
    }

    @Test
    void aFileTheWheelDoesNotHave_orAChangedFile_isNamed() {
        Map<String, String> files = TestPackages.layer();
        files.put("metaflow/plugins/evil.py", "x = 1\n");
        files.put("metaflow/__init__.py", "# metaflow library\nimport os\n");
        assertThat(TrustedMetaflow.layerProblems(bytes(files))).containsExactly(
                "metaflow/__init__.py differs from the Metaflow " + TestPackages.TEST_METAFLOW_VERSION + " wheel",
                "metaflow/plugins/evil.py is not a file of the Metaflow " + TestPackages.TEST_METAFLOW_VERSION + " wheel");
    }

    @Test
    void aVersionWithoutPin_isRefusedWithTheFix() {
        Map<String, String> files = TestPackages.layer();
        files.put("metaflow/version.py", "metaflow_version = \"2.99.0\"\n");
        assertThat(TrustedMetaflow.layerProblems(bytes(files))).singleElement().asString()
                .contains("Metaflow 2.99.0 is not trusted").contains("scripts/trust-metaflow 2.99.0");
    }

    @Test
    void manyProblems_listFiveAndCountTheRest() {
        Map<String, String> files = TestPackages.layer();
        for (int i = 0; i < 8; i++) {
            files.put("metaflow/extra" + i + ".py", "");
        }
        assertThat(TrustedMetaflow.layerProblems(bytes(files))).hasSize(6).last().isEqualTo("3 more");
    }
}

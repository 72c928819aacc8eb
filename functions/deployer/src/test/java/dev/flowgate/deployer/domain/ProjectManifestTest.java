package dev.flowgate.deployer.domain;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectManifestTest {
    static ProjectManifest parse(String yaml) {
        return ProjectManifest.parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parse_theProjectTemplatesManifest() {
        ProjectManifest manifest = parse("# Flowgate project manifest\nteam: ml\nproject: fraud_model\n"
                + "production_branch: main\nalerts:\n  slack_channel: \"#ml-alerts\"\nflows:\n"
                + "  - name: TrainFlow\n    file: flows/train_flow.py\n");
        assertThat(manifest.project()).isEqualTo("fraud_model");
        assertThat(manifest.alertChannel()).contains("#ml-alerts");
        assertThat(manifest.packageSuffixes()).containsExactly(".py", ".R", ".RDS");
        assertThat(manifest.flows()).singleElement().satisfies(f -> {
            assertThat(f.directory()).isEqualTo("flows");
            assertThat(f.fileName()).isEqualTo("train_flow.py");
        });
    }

    @Test
    void parse_invalidManifests_nameTheFieldAndShowWhatToWrite() {
        assertThatThrownBy(() -> parse("project: Bad-Name\nflows: [{name: A, file: a.py}]"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("project"));
        assertThatThrownBy(() -> parse("project: p\n"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("flows"));
        assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: ../a.py}]"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("flows[0].file"));
        assertThatThrownBy(() -> parse("project: p\nflows: [{name: 1abc, file: a.py}]"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("flows[0].name"));
        assertThatThrownBy(() -> parse("project: [unclosed"))
                .isInstanceOf(DeployError.InvalidManifest.class).hasMessageContaining("not valid YAML");
    }

    @Test
    void projectBranch_followsMetaflowNaming() {
        assertThat(ProjectBranch.experimental("feature/New-Model")).isEqualTo("test.feature_new_model");
        assertThat(ProjectBranch.flowName("proj", ProjectBranch.production(), "F")).isEqualTo("proj.prod.F");
    }

    @Test
    void productionTokenPrefix_matchesMetaflows() {
        // python: "mfprj-" + base64.b32encode(sha1(b"proj.prod").digest())[:16].lower()
        assertThat(ProductionToken.prefix("proj", "prod")).isEqualTo("mfprj-yw7tjrgksk5zmhdn");
        assertThat(ProductionToken.fresh("mfprj-x", "d-1")).isEqualTo(ProductionToken.fresh("mfprj-x", "d-1"))
                .matches("mfprj-x-0-[a-z]{4}");
    }
}

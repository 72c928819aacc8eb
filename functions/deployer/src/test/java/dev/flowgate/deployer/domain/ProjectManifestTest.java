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
    void parse_perFlowStepFunctionsOptions_defaultToMetaflowsDefaults() {
        ProjectManifest manifest = parse("project: p\nflows:\n"
                + "  - name: WideFlow\n    file: flows/wide.py\n    use_distributed_map: true\n    max_workers: 2000\n"
                + "    workflow_timeout: 86400\n"
                + "  - name: SmallFlow\n    file: flows/small.py\n");
        assertThat(manifest.flow("WideFlow").orElseThrow().options())
                .isEqualTo(new ProjectManifest.StepFunctionsOptions(true, 2000, 86400));
        assertThat(manifest.flow("SmallFlow").orElseThrow().options()).isEqualTo(ProjectManifest.StepFunctionsOptions.DEFAULT);
        assertThat(parse("project: p\nflows: [{name: A, file: a.py, workflow_timeout: '31536000'}]").flows().get(0).options()
                .workflowTimeoutSeconds()).isEqualTo(31_536_000);
    }

    @Test
    void parse_badStepFunctionsOptions_nameTheFieldTheRangeAndAnExample() {
        for (String bad : new String[]{"0", "-1", "31536001", "1d", "2.5", "[1]"}) {
            assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: a.py, workflow_timeout: " + bad + "}]")).as(bad)
                    .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> {
                        assertThat(e.field()).isEqualTo("flows[0].workflow_timeout");
                        assertThat(e.getMessage()).startsWith("flowgate.yaml: flows[0].workflow_timeout: ")
                                .endsWith("e.g. 'workflow_timeout: 86400'");
                    });
        }
        assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: a.py, workflow_timeout: 31536001}]"))
                .hasMessageContaining("between 1 and 31536000 seconds (one year");
        assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: a.py, max_workers: 20000}]"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("flows[0].max_workers"))
                .hasMessageContaining("between 1 and 10000");
        assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: a.py, use_distributed_map: 'yes please'}]"))
                .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> assertThat(e.field()).isEqualTo("flows[0].use_distributed_map"))
                .hasMessageContaining("true or false");
    }

    /** Metaflow's {@code step-functions create --tag}, per flow; checked as Metaflow's validate_tags checks them. */
    @Test
    void parse_tags_keepTheirOrder_andBadOnesNameTheFieldAndTheRule() {
        ProjectManifest manifest = parse("project: p\nflows:\n  - name: A\n    file: a.py\n    tags: [team:fraud, 'nightly run', '2024']\n"
                + "  - name: B\n    file: b.py\n");
        assertThat(manifest.flow("A").orElseThrow().options().tags()).containsExactly("team:fraud", "nightly run", "2024");
        assertThat(manifest.flow("B").orElseThrow().options().tags()).isEmpty();
        String many = java.util.stream.IntStream.range(0, 51).mapToObj(i -> "t" + i).collect(java.util.stream.Collectors.joining(", "));
        for (String[] bad : new String[][]{{"team", "must be a list of tags"}, {"['']", "must not be empty"},
                {"[" + "x".repeat(501) + "]", "too long: 501 > 500"}, {"[2024]", "each tag is a string"},
                {"[{a: b}]", "each tag is a string"}, {"[" + many + "]", "at most 50 distinct tags"}}) {
            assertThatThrownBy(() -> parse("project: p\nflows: [{name: A, file: a.py, tags: " + bad[0] + "}]")).as(bad[0])
                    .isInstanceOfSatisfying(DeployError.InvalidManifest.class, e -> {
                        assertThat(e.field()).isEqualTo("flows[0].tags");
                        assertThat(e.getMessage()).contains(bad[1]).endsWith("e.g. 'tags: [team:fraud, nightly]'");
                    });
        }
    }

    @Test
    void projectBranch_followsMetaflowNaming() {
        assertThat(ProjectBranch.experimental("feature_new_model").label()).isEqualTo("test.feature_new_model");
        assertThat(ProjectBranch.experimental("feature_new_model").experimentalName()).contains("feature_new_model");
        assertThat(ProjectBranch.experimental("feature/New-Model").label()).startsWith("test.feature_new_model__");
        assertThat(ProjectBranch.experimental("feature/New-Model").isProduction()).isFalse();
        assertThat(ProjectBranch.production().label()).isEqualTo("prod");
        assertThat(ProjectBranch.production().isProduction()).isTrue();
    }

    @Test
    void productionTokenPrefix_matchesMetaflows() {
        // python: "mfprj-" + base64.b32encode(sha1(b"proj.prod").digest())[:16].lower()
        assertThat(ProductionToken.prefix("proj", "prod")).isEqualTo("mfprj-yw7tjrgksk5zmhdn");
        assertThat(ProductionToken.fresh("mfprj-x", "d-1")).isEqualTo(ProductionToken.fresh("mfprj-x", "d-1"))
                .matches("mfprj-x-0-[a-z]{4}");
    }
}

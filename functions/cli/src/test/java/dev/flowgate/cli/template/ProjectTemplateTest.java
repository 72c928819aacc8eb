package dev.flowgate.cli.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectTemplateTest {
    /** The real template of this repository (tests run in functions/cli). */
    private static final Path TEMPLATE = Path.of("../../templates/flow-project");

    @Test
    void render_withDefaults_createsTheProjectLayout(@TempDir Path out) throws IOException {
        Path project = ProjectTemplate.load(TEMPLATE).render(Map.of(), out);
        assertThat(project.getFileName().toString()).isEqualTo("churn_model");
        assertThat(project.resolve("flows/churn_training_flow.py")).exists();
        assertThat(project.resolve("src/churn_model/features.py")).exists();
        assertThat(project.resolve("scripts/run-step-function.sh")).isExecutable();
        String flow = Files.readString(project.resolve("flows/churn_training_flow.py"));
        assertThat(flow).contains("@project(name=\"churn_model\")", "class ChurnTrainingFlow(FlowSpec):",
                "from churn_model.features import");
        assertThat(flow).doesNotContain("{{");
        assertThat(Files.readString(project.resolve("flowgate.yaml"))).contains("file: flows/churn_training_flow.py");
    }

    @Test
    void render_withValues_derivesFlowModuleAndPaths(@TempDir Path out) {
        Path project = ProjectTemplate.load(TEMPLATE).render(Map.of("project_name", "fraud2", "flow_name", "HTTPScoreFlow",
                "team", "risk", "alert_channel", "#risk-alerts"), out);
        assertThat(project.resolve("flows/http_score_flow.py")).exists();
        assertThat(project.resolve("src/fraud2/__init__.py")).exists();
    }

    @Test
    void render_withBadNames_reportsEveryFieldAndWritesNothing(@TempDir Path out) throws IOException {
        ProjectTemplate template = ProjectTemplate.load(TEMPLATE);
        assertThatThrownBy(() -> template.render(Map.of("project_name", "Churn-Model", "flow_name", "train",
                "team", "ML", "alert_channel", "alerts"), out))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("project_name 'Churn-Model' is invalid")
                .hasMessageContaining("flow_name 'train' is invalid")
                .hasMessageContaining("team 'ML' is invalid")
                .hasMessageContaining("alert_channel 'alerts' is invalid");
        try (var files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void render_whenTargetExists_refusesAndKeepsIt(@TempDir Path out) throws IOException {
        Files.createDirectories(out.resolve("churn_model"));
        Files.writeString(out.resolve("churn_model/keep.txt"), "mine");
        assertThatThrownBy(() -> ProjectTemplate.load(TEMPLATE).render(Map.of(), out))
                .hasMessageContaining("already exists");
        assertThat(Files.readString(out.resolve("churn_model/keep.txt"))).isEqualTo("mine");
    }

    @Test
    void context_unknownVariable_isRefused() {
        assertThatThrownBy(() -> ProjectTemplate.load(TEMPLATE).context(Map.of("colour", "blue")))
                .hasMessageContaining("unknown template variable 'colour'");
    }

    @Test
    void snakeCase_matchesTheTemplateFilter() {
        assertThat(TemplateText.snakeCase("ChurnTrainingFlow")).isEqualTo("churn_training_flow");
        assertThat(TemplateText.snakeCase("HTTPFlow2")).isEqualTo("http_flow2");
        assertThat(TemplateText.snakeCase("A")).isEqualTo("a");
    }

    @Test
    void render_refusesJinjaItCannotRenderIdentically() {
        assertThatThrownBy(() -> TemplateText.render("{% if x %}", Map.of(), "f"))
                .hasMessageContaining("{%");
        assertThatThrownBy(() -> TemplateText.render("{{ cookiecutter.x|title }}", Map.of("x", "a"), "f"))
                .hasMessageContaining("unsupported filter 'title'");
        assertThat(TemplateText.render("{{ cookiecutter.x|replace('-', '_')|upper }}", Map.of("x", "a-b"), "f"))
                .isEqualTo("A_B");
    }
}

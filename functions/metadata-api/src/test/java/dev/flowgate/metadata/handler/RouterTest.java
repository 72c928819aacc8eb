package dev.flowgate.metadata.handler;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/flows/{flow_id}", c -> Router.Reply.ok("one"))
            .add("POST", "/flows/{flow_id}", c -> Router.Reply.ok("create"))
            .add("GET", "/flows/{flow_id}/runs/{run_number}/steps/{step_name}/tasks/{task_id}/artifacts/{name}",
                    c -> Router.Reply.ok("artifact"))
            .add("GET", "/flows/{flow_id}/runs/{run_number}/steps/{step_name}/tasks/{task_id}/attempt/{attempt_id}/artifacts",
                    c -> Router.Reply.ok("attempt"));

    @Test
    void match_bindsEveryPathParameter_byName() {
        Router.Match match = router.match("GET", "/flows/F/runs/sfn-1/steps/start/tasks/7/artifacts/model");
        assertThat(match.found()).isTrue();
        assertThat(match.params()).isEqualTo(Map.of("flow_id", "F", "run_number", "sfn-1", "step_name", "start",
                "task_id", "7", "name", "model"));
    }

    @Test
    void match_literalSegmentsMustBeEqual_soAttemptListsAndArtifactsDoNotCollide() {
        Router.Match match = router.match("GET", "/flows/F/runs/1/steps/s/tasks/2/attempt/0/artifacts");
        assertThat(match.route().action().handle(null).body()).isEqualTo("attempt");
    }

    @Test
    void match_whenMethodDiffers_reportsTheAllowedMethods() {
        Router.Match match = router.match("PUT", "/flows/F");
        assertThat(match.found()).isFalse();
        assertThat(match.allowed()).containsExactly("GET", "POST");
    }

    @Test
    void match_whenNoTemplateFits_isNotFoundWithNoAllowedMethods() {
        assertThat(router.match("GET", "/flows").allowed()).isEmpty();
        assertThat(router.match("GET", "/flows//").found()).isFalse();
        assertThat(router.match("GET", "/flows/F/extra").found()).isFalse();
    }

    @Test
    void match_toleratesATrailingSlash() {
        assertThat(router.match("GET", "/flows/F/").found()).isTrue();
    }
}

package dev.flowgate.deployer.handler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.domain.graph.GraphCheck;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ResultJsonTest {
    @Test
    void write_namesWhoTaggedTheDeployedRunAndWhen_onlyWhenKnown() {
        GateTagging gate = new GateTagging("ann-laptop", "authorizer", "ann", Instant.parse("2026-12-05T21:00:00Z"),
                "run_creation");
        DeployResult result = new DeployResult("d-1", "r-1", "acme/ml", "abc", Outcome.DEPLOYED, "deployed", List.of(
                deployed("A").versionArn("arn:1").gateTagging(Optional.of(gate)).build(),
                deployed("B").versionArn("arn:2").build()));

        ObjectNode json = ResultJson.write(result);

        ObjectNode tag = (ObjectNode) json.get("flows").get(0).get("gate_tag");
        assertThat(tag.get("tag").asText()).isEqualTo("prod_ready");
        assertThat(tag.get("tagged_by").asText()).isEqualTo("ann-laptop");
        assertThat(tag.get("caller_kind").asText()).isEqualTo("authorizer");
        assertThat(tag.get("user_name").asText()).isEqualTo("ann");
        assertThat(tag.get("tagged_at").asText()).isEqualTo("2026-12-05T21:00:00Z");
        assertThat(tag.get("via").asText()).isEqualTo("run_creation");
        assertThat(json.get("flows").get(1).has("gate_tag")).isFalse();
    }

    @Test
    void write_showsTheGraphChecksSummaryAndTheMutatorsDecoratorsTakenOver_forADryRunToo() {
        GraphCheck.GraphNote note = new GraphCheck.GraphNote("graph equal to the run's (3 steps)",
                List.of("@retry(times=4) on start, inserted by __main__.robust_flow"));
        DeployResult result = new DeployResult("d-1", "r-1", "acme/ml", "abc", Outcome.PLANNED, "planned", List.of(
                deployed("A").outcome(Outcome.PLANNED).plan(Optional.of("update")).graph(Optional.of(note)).build(),
                deployed("B").build()));

        ObjectNode json = ResultJson.write(result);

        assertThat(json.at("/flows/0/plan").asText()).isEqualTo("update");
        assertThat(json.at("/flows/0/graph/summary").asText()).isEqualTo("graph equal to the run's (3 steps)");
        assertThat(json.at("/flows/0/graph/taken_over/0").asText())
                .isEqualTo("@retry(times=4) on start, inserted by __main__.robust_flow");
        assertThat(json.at("/flows/1").has("graph")).isFalse();
    }

    private static DeployResult.FlowResult.Builder deployed(String flow) {
        return DeployResult.FlowResult.builder().flow(flow).outcome(Outcome.DEPLOYED).message("deployed")
                .runPathspec(flow + "/1").stateMachine("p.prod." + flow);
    }
}

package dev.flowgate.deployer.handler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.Outcome;
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

    private static DeployResult.FlowResult.Builder deployed(String flow) {
        return DeployResult.FlowResult.builder().flow(flow).outcome(Outcome.DEPLOYED).message("deployed")
                .runPathspec(flow + "/1").stateMachine("p.prod." + flow);
    }
}

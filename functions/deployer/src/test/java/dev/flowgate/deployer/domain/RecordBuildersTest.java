package dev.flowgate.deployer.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordBuildersTest {
    private static final Instant AT = Instant.parse("2026-12-06T00:00:00Z");
    private static final GateTagging GATE = new GateTagging("ann-laptop", "authorizer", "ann", AT, "run_creation");

    @Test
    void deploymentRecord_withoutARequiredValue_isRefusedNamingIt() {
        DeploymentRecord complete = DeploymentRecord.builder().deploymentId("d-1").flow("F")
                .outcome(Outcome.DEPLOYED).at(AT).build();
        assertThat(complete.deploymentId()).isEqualTo("d-1");
        assertThatThrownBy(() -> complete.toBuilder().deploymentId(null).build()).hasMessage("deploymentId");
        assertThatThrownBy(() -> complete.toBuilder().flow(null).build()).hasMessage("flow");
        assertThatThrownBy(() -> complete.toBuilder().outcome(null).build()).hasMessage("outcome");
        assertThatThrownBy(() -> complete.toBuilder().at(null).build()).hasMessage("at");
    }

    @Test
    void deploymentRecord_leftUnset_isADeployWithEmptyValuesAndNoGateTagging() {
        DeploymentRecord record = DeploymentRecord.builder().deploymentId("d-1").flow("F").outcome(Outcome.ERROR)
                .at(AT).build();

        assertThat(record.kind()).isEqualTo("deploy");
        assertThat(List.of(record.repository(), record.commitSha(), record.branch(), record.message(),
                record.runPathspec(), record.stateMachine(), record.versionArn(), record.definition())).containsOnly("");
        assertThat(record.stageMillis()).isEmpty();
        assertThat(record.differing()).isEmpty();
        assertThat(record.gate()).isEmpty();
    }

    @Test
    void deploymentRecord_toBuilder_keepsEveryValueNotChanged() {
        DeploymentRecord record = DeploymentRecord.builder().deploymentId("d-1").flow("F").kind("rollback")
                .repository("acme/ml").commitSha("abc").branch("main").outcome(Outcome.DEPLOYED).message("ok")
                .runPathspec("F/1").stateMachine("p.prod.F").versionArn("arn:1").definition("{}").at(AT)
                .stageMillis(Map.of("deploy", 3L)).differing(List.of("f.py")).gateTagging(GATE).build();

        assertThat(record.toBuilder().build()).isEqualTo(record);
        assertThat(record.toBuilder().gateTagging(null).build().gate()).isEmpty();
    }

    @Test
    void flowResult_withoutARequiredValue_isRefusedNamingIt() {
        assertThatThrownBy(() -> DeployResult.FlowResult.builder().outcome(Outcome.DEPLOYED).message("m").build())
                .isInstanceOf(NullPointerException.class).hasMessage("flow");
        assertThatThrownBy(() -> DeployResult.FlowResult.builder().flow("F").message("m").build())
                .isInstanceOf(NullPointerException.class).hasMessage("outcome");
        assertThatThrownBy(() -> DeployResult.FlowResult.builder().flow("F").outcome(Outcome.DEPLOYED).build())
                .isInstanceOf(NullPointerException.class).hasMessage("message");
    }

    @Test
    void flowResult_leftUnset_isEmpty_andKeepsTheStageTimesOfItsBuild() {
        Map<String, Long> stages = new LinkedHashMap<>(Map.of("compile", 5L));
        DeployResult.FlowResult result = DeployResult.FlowResult.builder().flow("F").outcome(Outcome.BUSY)
                .message("busy").stageMillis(stages).build();
        stages.put("deploy", 9L);

        assertThat(List.of(result.runPathspec(), result.stateMachine(), result.versionArn())).containsOnly("");
        assertThat(result.comparison()).isEmpty();
        assertThat(result.plan()).isEmpty();
        assertThat(result.gateTagging()).isEmpty();
        assertThat(result.stageMillis()).containsExactly(Map.entry("compile", 5L));
        assertThat(DeployResult.FlowResult.builder().flow("F").outcome(Outcome.BUSY).message("busy").gateTagging(null)
                .build().gateTagging()).isEqualTo(Optional.empty());
    }
}

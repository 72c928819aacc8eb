package dev.flowgate.deployer.handler;

import dev.flowgate.aws.RecordedMetrics;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.Outcome;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentLogTest {
    private static final String SHA = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
    private final RecordedMetrics recorded = new RecordedMetrics();

    private static DeployResult.FlowResult flow(String name, Outcome outcome, String run) {
        return DeployResult.FlowResult.builder().flow(name).outcome(outcome).message(outcome.wireName() + " message")
                .runPathspec(run).stateMachine("acme.prod." + name).build();
    }

    @Test
    void line_ofADeployment_namesRepositoryCommitFlowsWithTheirRuns_andTheDeploymentId() {
        DeployResult result = new DeployResult("d-1", "delivery-7", "acme/ml", SHA, Outcome.DEPLOYED, "deployed",
                List.of(flow("HelloFlow", Outcome.DEPLOYED, "HelloFlow/12"), flow("TrainFlow", Outcome.ALREADY_DEPLOYED, "TrainFlow/3")));
        assertThat(DeploymentLog.line(result))
                .isEqualTo("deployed acme/ml@1a2b3c4d5e6f HelloFlow (HelloFlow/12), TrainFlow (TrainFlow/3) [deployment d-1]");
    }

    @Test
    void line_ofARefusal_saysWhy() {
        DeployResult result = new DeployResult("d-2", "delivery-8", "acme/ml", SHA, Outcome.NO_TAGGED_RUN,
                "no run of HelloFlow is tagged prod_ready", List.of(flow("HelloFlow", Outcome.NO_TAGGED_RUN, "")));
        assertThat(DeploymentLog.line(result)).isEqualTo("no_tagged_run acme/ml@1a2b3c4d5e6f HelloFlow:"
                + " no run of HelloFlow is tagged prod_ready [deployment d-2]");
    }

    @Test
    void record_countsDeploymentsByOutcome_oneDocumentPerFlow_andARefusalBeforeAnyFlowOnce() {
        DeploymentLog log = new DeploymentLog(recorded.metrics(DeploymentLog.NAMESPACE));
        log.record(new DeployResult("d-1", "r", "acme/ml", SHA, Outcome.MISMATCH, "m", List.of(
                flow("A", Outcome.DEPLOYED, "A/1"), flow("B", Outcome.MISMATCH, "B/2"))));
        log.record(new DeployResult("d-2", "r", "acme/ml", SHA, Outcome.COMMIT_NOT_ON_REF, "not on main", List.of()));

        assertThat(recorded.documents()).extracting(RecordedMetrics.Document::dimensions).containsExactly(
                Map.of("outcome", "deployed"), Map.of("outcome", "mismatch"), Map.of("outcome", "commit_not_on_ref"));
        assertThat(recorded.documents()).allSatisfy(d -> {
            assertThat(d.namespace()).isEqualTo("Flowgate/Deployer");
            assertThat(d.values()).containsExactly(Map.entry("Deployments", 1.0));
        });
    }
}

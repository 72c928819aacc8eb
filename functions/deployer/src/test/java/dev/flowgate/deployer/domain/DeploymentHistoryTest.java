package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.Fakes.FakeStateMachineDeployer;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeploymentHistoryTest {
    final InMemoryDeploymentStore store = new InMemoryDeploymentStore();
    final FakeStateMachineDeployer machines = new FakeStateMachineDeployer();
    final DeploymentHistory history = new DeploymentHistory(store, machines, new DeploymentIds(), Clock.systemUTC());

    void deployed(String id, String sha, String definition) {
        store.record(DeploymentRecord.builder().deploymentId(id).flow("DemoFlow").kind("deploy")
                .repository("acme/ml-flows").commitSha(sha).branch("main")
                .outcome(Outcome.DEPLOYED).message("ok")
                .runPathspec("DemoFlow/sfn-" + sha).stateMachine("proj.prod.DemoFlow").versionArn("arn:v")
                .definition(definition)
                .at(Instant.now())
                .build());
        machines.deploy("proj.prod.DemoFlow", definition, Map.of(), id);
    }

    @Test
    void rollback_withoutTarget_republishesThePreviousDefinitionAndRecordsIt() {
        deployed("d-20261129T000001Z-000001", "a", "{\"v\":1}");
        deployed("d-20261129T000002Z-000002", "b", "{\"v\":2}");

        DeploymentRecord rollback = history.rollback("DemoFlow", Optional.empty());

        assertThat(machines.currentDefinition("proj.prod.DemoFlow")).contains("{\"v\":1}");
        assertThat(rollback.kind()).isEqualTo("rollback");
        assertThat(rollback.commitSha()).isEqualTo("a");
        assertThat(history.deployments("DemoFlow", 10)).first().isEqualTo(rollback);
        // rolling back again goes to the deployment before the now-live definition
        history.rollback("DemoFlow", Optional.of("d-20261129T000002Z-000002"));
        assertThat(machines.currentDefinition("proj.prod.DemoFlow")).contains("{\"v\":2}");
    }

    @Test
    void rollback_withNothingEarlier_isRefused() {
        deployed("d-20261129T000001Z-000001", "a", "{\"v\":1}");
        assertThatThrownBy(() -> history.rollback("DemoFlow", Optional.empty()))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class).hasMessageContaining("no earlier deployment");
        assertThatThrownBy(() -> history.rollback("Nope", Optional.empty()))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class);
    }
}

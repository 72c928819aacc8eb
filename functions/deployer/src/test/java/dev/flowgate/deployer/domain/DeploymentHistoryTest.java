package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.Fakes.FakeStateMachineDeployer;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import dev.flowgate.deployer.port.FlowCompiler.Schedule;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rollback and undeploy act on one branch's state machine, through the apply stage's lease, with its triggers. */
class DeploymentHistoryTest {
    static final String PROD = "proj.prod.DemoFlow";
    static final String EXP = "proj.test.feature_x.DemoFlow";
    final InMemoryDeploymentStore store = new InMemoryDeploymentStore();
    final FakeStateMachineDeployer machines = new FakeStateMachineDeployer();
    final DeploymentHistory history = new DeploymentHistory(store, store, machines, new DeploymentIds(), Clock.systemUTC());
    int clock;

    void deployed(String id, String branch, String machine, String definition, Optional<MachineTriggers> triggers) {
        store.record(DeploymentRecord.builder().deploymentId(id).flow("DemoFlow").kind("deploy")
                .repository("acme/ml-flows").commitSha(definition.replaceAll("\\W", "")).branch(branch)
                .outcome(Outcome.DEPLOYED).message("ok").runPathspec("DemoFlow/sfn-" + id).stateMachine(machine)
                .versionArn("arn:v").definition(definition).at(Instant.ofEpochSecond(++clock))
                .production(machine.equals(PROD)).triggers(triggers).build());
        machines.deploy(machine, definition, Map.of(), id);
        triggers.ifPresent(t -> {
            machines.schedule(machine, "arn", t.schedule());
            machines.triggerOnFinish(machine, "arn", t.onSuccessOf());
        });
    }

    void deployed(String id, String definition) {
        deployed(id, "main", PROD, definition, Optional.of(MachineTriggers.NONE));
    }

    @Test
    void rollback_withoutTarget_republishesThePreviousDefinitionAndRecordsIt() {
        deployed("d-20261129T000001Z-000001", "{\"v\":1}");
        deployed("d-20261129T000002Z-000002", "{\"v\":2}");

        DeploymentRecord rollback = history.rollback("DemoFlow", Optional.empty(), Optional.empty());

        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":1}");
        assertThat(rollback.kind()).isEqualTo("rollback");
        assertThat(rollback.commitSha()).isEqualTo("v1");
        assertThat(rollback.production()).isTrue();
        assertThat(history.deployments("DemoFlow", 10)).first().isEqualTo(rollback);
        // rolling back again goes to the deployment before the now-live definition
        history.rollback("DemoFlow", Optional.empty(), Optional.of("d-20261129T000002Z-000002"));
        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":2}");
    }

    @Test
    void rollback_restoresTheScheduleAndTriggersOfTheDeploymentItGoesBackTo() {
        deployed("d-20261129T000001Z-000001", "main", PROD, "{\"v\":1}", Optional.of(new MachineTriggers(
                Optional.of(new Schedule("cron(0 6 * * ? *)", Optional.of("Europe/Berlin"))), List.of("proj.prod.IngestFlow"))));
        deployed("d-20261129T000002Z-000002", "main", PROD, "{\"v\":2}", Optional.of(new MachineTriggers(
                Optional.of(Schedule.utc("cron(0 3 * * ? *)")), List.of())));

        history.rollback("DemoFlow", Optional.empty(), Optional.empty());

        assertThat(machines.schedules).containsEntry(PROD, new Schedule("cron(0 6 * * ? *)", Optional.of("Europe/Berlin")));
        assertThat(machines.finishTriggers).containsEntry(PROD, List.of("proj.prod.IngestFlow"));
    }

    @Test
    void rollback_toARecordWithoutTriggers_leavesTheLiveOnesAndSaysSo() {
        deployed("d-20261129T000001Z-000001", "main", PROD, "{\"v\":1}", Optional.empty());
        deployed("d-20261129T000002Z-000002", "main", PROD, "{\"v\":2}", Optional.of(new MachineTriggers(
                Optional.of(Schedule.utc("cron(0 3 * * ? *)")), List.of())));

        DeploymentRecord rollback = history.rollback("DemoFlow", Optional.empty(), Optional.empty());

        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":1}");
        assertThat(machines.schedules).containsEntry(PROD, Schedule.utc("cron(0 3 * * ? *)"));
        assertThat(rollback.message()).contains("schedule and triggers were not recorded and are unchanged");
    }

    @Test
    void rollback_staysOnTheProductionStateMachine_whenABranchDeployedLast() {
        deployed("d-20261129T000001Z-000001", "{\"v\":1}");
        deployed("d-20261129T000002Z-000002", "{\"v\":2}");
        deployed("d-20261129T000003Z-000003", "feature/x", EXP, "{\"x\":1}", Optional.of(MachineTriggers.NONE));
        deployed("d-20261129T000004Z-000004", "feature/x", EXP, "{\"x\":2}", Optional.of(MachineTriggers.NONE));

        history.rollback("DemoFlow", Optional.empty(), Optional.empty());
        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":1}");
        assertThat(machines.currentDefinition(EXP)).contains("{\"x\":2}");

        history.rollback("DemoFlow", Optional.of("feature/x"), Optional.empty());
        assertThat(machines.currentDefinition(EXP)).contains("{\"x\":1}");
        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":1}");

        assertThatThrownBy(() -> history.rollback("DemoFlow", Optional.of("main"), Optional.of("d-20261129T000003Z-000003")))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class).hasMessageContaining("from branch feature/x, not main");
    }

    @Test
    void rollback_whileADeploymentHoldsTheStateMachinesLease_isBusyAndChangesNothing() {
        deployed("d-20261129T000001Z-000001", "{\"v\":1}");
        deployed("d-20261129T000002Z-000002", "{\"v\":2}");
        store.claim("machine#" + PROD, "d-20261129T000009Z-000009", Instant.now().plusSeconds(60));

        assertThatThrownBy(() -> history.rollback("DemoFlow", Optional.empty(), Optional.empty()))
                .isInstanceOf(DeployError.Busy.class).hasMessageContaining("d-20261129T000009Z-000009");
        assertThatThrownBy(() -> history.undeploy("DemoFlow", Optional.empty())).isInstanceOf(DeployError.Busy.class);
        assertThat(machines.currentDefinition(PROD)).contains("{\"v\":2}");
        assertThat(history.deployments("DemoFlow", 10)).hasSize(2);
    }

    @Test
    void undeploy_removesTheProductionStateMachineUnlessGivenABranch() {
        deployed("d-20261129T000001Z-000001", "{\"v\":1}");
        deployed("d-20261129T000002Z-000002", "feature/x", EXP, "{\"x\":1}", Optional.of(MachineTriggers.NONE));

        DeploymentRecord removed = history.undeploy("DemoFlow", Optional.of("feature/x"));

        assertThat(removed.stateMachine()).isEqualTo(EXP);
        assertThat(removed.production()).isFalse();
        assertThat(machines.currentDefinition(EXP)).isEmpty();
        assertThat(machines.currentDefinition(PROD)).isPresent();
        history.undeploy("DemoFlow", Optional.empty());
        assertThat(machines.currentDefinition(PROD)).isEmpty();
        assertThat(store.claimed("machine#" + PROD)).isFalse();
    }

    @Test
    void rollback_withNothingEarlier_isRefused() {
        deployed("d-20261129T000001Z-000001", "{\"v\":1}");
        assertThatThrownBy(() -> history.rollback("DemoFlow", Optional.empty(), Optional.empty()))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class).hasMessageContaining("no earlier deployment");
        assertThatThrownBy(() -> history.rollback("Nope", Optional.empty(), Optional.empty()))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class);
        assertThatThrownBy(() -> history.rollback("DemoFlow", Optional.of("nope"), Optional.empty()))
                .isInstanceOf(DeploymentHistory.RollbackRefused.class).hasMessageContaining("from branch nope");
    }
}

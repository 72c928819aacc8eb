package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.DeploymentStore;
import dev.flowgate.deployer.port.StateMachineDeployer;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code flowgate deployments FLOW} and {@code flowgate rollback FLOW [DEPLOYMENT]} call: the flow's
 * deployment history, and re-publishing an earlier deployment's state machine definition as a new version.
 */
public final class DeploymentHistory {
    private final DeploymentStore store;
    private final StateMachineDeployer machines;
    private final DeploymentIds ids;
    private final Clock clock;

    public DeploymentHistory(DeploymentStore store, StateMachineDeployer machines, DeploymentIds ids, Clock clock) {
        this.store = store;
        this.machines = machines;
        this.ids = ids;
        this.clock = clock;
    }

    /** The flow's deployments (successful or not, rollbacks included), newest first. */
    public List<DeploymentRecord> deployments(String flow, int limit) {
        return store.history(flow, Math.max(1, Math.min(limit, 500)));
    }

    /**
     * Points the flow's state machine back to an earlier deployment: {@code toDeployment} when given, else the
     * deployment before the live one. Records the rollback as a deployment of kind {@code rollback}.
     */
    public DeploymentRecord rollback(String flow, Optional<String> toDeployment) {
        List<DeploymentRecord> live = store.history(flow, 500).stream()
                .filter(r -> r.outcome() == Outcome.DEPLOYED && !r.definition().isEmpty()).toList();
        if (live.isEmpty()) {
            throw new RollbackRefused(flow + " has no successful deployment to roll back");
        }
        DeploymentRecord current = live.get(0);
        DeploymentRecord target = toDeployment
                .map(id -> live.stream().filter(r -> r.deploymentId().equals(id)).findFirst()
                        .orElseThrow(() -> new RollbackRefused("no successful deployment " + id + " of " + flow)))
                .orElseGet(() -> live.stream().skip(1)
                        .filter(r -> !r.definition().equals(current.definition())).findFirst()
                        .orElseThrow(() -> new RollbackRefused(flow + " has no earlier deployment to roll back to")));
        String id = ids.next(clock.instant());
        DeployedMachine machine = machines.deploy(target.stateMachine(), target.definition(),
                Map.of("flowgate:git_sha", target.commitSha(), "flowgate:deployment", id,
                        "flowgate:rollback_of", target.deploymentId()),
                "rollback to " + target.deploymentId() + " (" + target.commitSha() + ")");
        DeploymentRecord record = DeploymentRecord.builder().deploymentId(id).flow(flow).kind("rollback")
                .repository(target.repository())
                .commitSha(target.commitSha())
                .branch(target.branch())
                .outcome(Outcome.DEPLOYED)
                .message("rolled back " + target.stateMachine() + " to " + target.deploymentId())
                .runPathspec(target.runPathspec())
                .stateMachine(target.stateMachine())
                .versionArn(machine.versionArn())
                .definition(target.definition())
                .at(clock.instant())
                .build();
        store.record(record);
        return record;
    }

    /** There is nothing (or no such deployment) to roll back to. */
    public static final class RollbackRefused extends IllegalStateException {
        public RollbackRefused(String message) {
            super(message);
        }
    }

    /**
     * {@code flowgate undeploy FLOW}: deletes the live state machine of the flow (and its schedule) and records
     * it; a later deployment re-creates it (Step Functions' StateMachineDeleting is waited out).
     */
    public DeploymentRecord undeploy(String flow) {
        DeploymentRecord live = store.history(flow, 500).stream()
                .filter(r -> r.outcome() == Outcome.DEPLOYED && !r.stateMachine().isEmpty()).findFirst()
                .orElseThrow(() -> new RollbackRefused(flow + " has no deployment to remove"));
        if (!machines.undeploy(live.stateMachine())) {
            throw new RollbackRefused(live.stateMachine() + " does not exist (already undeployed?)");
        }
        DeploymentRecord record = DeploymentRecord.builder().deploymentId(ids.next(clock.instant())).flow(flow)
                .kind("undeploy")
                .repository(live.repository())
                .commitSha(live.commitSha())
                .branch(live.branch())
                .outcome(Outcome.SKIPPED)
                .message("removed " + live.stateMachine() + " and its schedule")
                .stateMachine(live.stateMachine())
                .at(clock.instant())
                .build();
        store.record(record);
        return record;
    }
}

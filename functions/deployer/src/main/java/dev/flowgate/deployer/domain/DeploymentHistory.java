package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.DeploymentStore;
import dev.flowgate.deployer.port.StateMachineDeployer;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code flowgate deployments FLOW}, {@code flowgate rollback FLOW} and {@code flowgate undeploy FLOW} call: the
 * flow's deployment history, re-publishing an earlier deployment's definition (with the schedule and triggers it was
 * deployed with) and removing a state machine. A flow has one state machine per branch it deploys from; both commands
 * act on the production one unless given a git branch, never on another branch's, and change it through the same
 * apply stage as a deployment ({@link MachineApply}: one lease per state machine).
 */
public final class DeploymentHistory {
    private final DeploymentStore store;
    private final MachineApply apply;
    private final DeploymentIds ids;
    private final Clock clock;

    /** @param leases the ledger deployments claim their leases in (the same table) */
    public DeploymentHistory(DeploymentStore store, DeliveryLedger leases, StateMachineDeployer machines, DeploymentIds ids,
                             Clock clock) {
        this.store = store;
        // a rollback republishes a definition whose job definitions its deployment registered (names are content-addressed)
        this.apply = new MachineApply(machines, definitions -> { }, leases, clock);
        this.ids = ids;
        this.clock = clock;
    }

    /** The flow's deployments (successful or not, rollbacks included), newest first. */
    public List<DeploymentRecord> deployments(String flow, int limit) {
        return store.history(flow, Math.max(1, Math.min(limit, 500)));
    }

    /** One deployment of the flow (what a commit status links to locally). */
    public Optional<DeploymentRecord> find(String flow, String deploymentId) {
        return store.find(flow, deploymentId);
    }

    /**
     * Points one of the flow's state machines back to an earlier deployment: {@code toDeployment} when given (its own
     * state machine), else the deployment before the live one of the production state machine, or of the state
     * machine {@code branch} deploys to. Restores the schedule and finish triggers recorded with that deployment
     * (leaves the live ones when none were recorded) and records the rollback as a deployment of kind
     * {@code rollback}.
     *
     * @throws RollbackRefused  nothing (or no such deployment) to roll back to, or a deployment of another branch
     * @throws DeployError.Busy a deployment, rollback or undeploy of that state machine is in progress
     */
    public DeploymentRecord rollback(String flow, Optional<String> branch, Optional<String> toDeployment) {
        List<DeploymentRecord> published = store.history(flow, 500).stream()
                .filter(r -> r.outcome() == Outcome.DEPLOYED && !r.definition().isEmpty()).toList();
        Optional<DeploymentRecord> named = toDeployment.map(id -> published.stream()
                .filter(r -> r.deploymentId().equals(id)).findFirst()
                .orElseThrow(() -> new RollbackRefused("no successful deployment " + id + " of " + flow)));
        if (named.isPresent() && branch.isPresent() && !named.get().branch().equals(branch.get())) {
            throw new RollbackRefused(named.get().deploymentId() + " deployed " + flow + " from branch "
                    + named.get().branch() + ", not " + branch.get() + "; a rollback stays on one branch's state machine");
        }
        String machine = named.map(DeploymentRecord::stateMachine).orElseGet(() -> liveMachine(flow, branch, published));
        List<DeploymentRecord> ofMachine = published.stream().filter(r -> r.stateMachine().equals(machine)).toList();
        DeploymentRecord current = ofMachine.get(0);
        DeploymentRecord target = named.orElseGet(() -> ofMachine.stream().skip(1)
                .filter(r -> !r.definition().equals(current.definition())).findFirst()
                .orElseThrow(() -> new RollbackRefused(machine + " has no earlier deployment to roll back to")));
        String id = ids.next(clock.instant());
        DeployedMachine deployed = apply.apply(id, new MachineApply.Change(flow, machine, target.definition(), List.of(),
                Map.of("flowgate:git_sha", target.commitSha(), "flowgate:deployment", id,
                        "flowgate:rollback_of", target.deploymentId()),
                "rollback to " + target.deploymentId() + " (" + target.commitSha() + ")", target.triggers()));
        DeploymentRecord record = target.toBuilder().deploymentId(id).kind("rollback")
                .message("rolled back " + machine + " to " + target.deploymentId()
                        + (target.triggers().isPresent() ? "" : "; its schedule and triggers were not recorded and are unchanged"))
                .versionArn(deployed.versionArn()).at(clock.instant()).stageMillis(Map.of()).differing(List.of())
                .build();
        store.record(record);
        return record;
    }

    /**
     * {@code flowgate undeploy FLOW [--branch B]}: deletes the flow's production state machine (or the one branch
     * {@code B} deploys to) with its schedule and triggers, and records it; a later deployment re-creates it.
     *
     * @throws DeployError.Busy a deployment or rollback of that state machine is in progress
     */
    public DeploymentRecord undeploy(String flow, Optional<String> branch) {
        List<DeploymentRecord> published = store.history(flow, 500).stream()
                .filter(r -> r.outcome() == Outcome.DEPLOYED && !r.stateMachine().isEmpty()).toList();
        String machine = liveMachine(flow, branch, published);
        DeploymentRecord live = published.stream().filter(r -> r.stateMachine().equals(machine)).findFirst().orElseThrow();
        String id = ids.next(clock.instant());
        if (!apply.remove(id, flow, machine)) {
            throw new RollbackRefused(machine + " does not exist (already undeployed?)");
        }
        DeploymentRecord record = DeploymentRecord.builder().deploymentId(id).flow(flow).kind("undeploy")
                .repository(live.repository()).commitSha(live.commitSha()).branch(live.branch())
                .outcome(Outcome.SKIPPED).message("removed " + machine + " and its schedule and triggers")
                .stateMachine(machine).at(clock.instant()).production(live.production()).build();
        store.record(record);
        return record;
    }

    /** The state machine of the newest deployment from {@code branch}, or of the newest production deployment. */
    private static String liveMachine(String flow, Optional<String> branch, List<DeploymentRecord> published) {
        return published.stream()
                .filter(r -> branch.map(b -> r.branch().equals(b)).orElse(r.production()))
                .findFirst().map(DeploymentRecord::stateMachine)
                .orElseThrow(() -> new RollbackRefused(flow + " has no successful "
                        + branch.map(b -> "deployment from branch " + b).orElse("production deployment")
                        + (published.isEmpty() ? "" : "; it has " + published.size() + " of other branches (give --branch)")));
    }

    /** There is nothing (or no such deployment) to roll back to or remove. */
    public static final class RollbackRefused extends IllegalStateException {
        public RollbackRefused(String message) {
            super(message);
        }
    }
}

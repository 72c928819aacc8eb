package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.FlowCompiler.JobDefinition;
import dev.flowgate.deployer.port.JobDefinitionRegistry;
import dev.flowgate.deployer.port.StateMachineDeployer;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The apply stage, the one writer of state machines: a deployment, a rollback and an undeploy all change a state
 * machine through it, each under that state machine's lease ({@code machine#<name>}), so two of them never
 * interleave on one state machine, whichever branch or command they come from. Applying registers the job
 * definitions, publishes the definition as a new version and sets what starts the machine by itself (schedule and
 * finish triggers); removing deletes all of that.
 */
public final class MachineApply {
    /** Past Lambda's 15-minute limit, so a crashed writer's lease expires on its own. */
    static final Duration LEASE = Duration.ofMinutes(16);

    private final StateMachineDeployer machines;
    private final JobDefinitionRegistry jobDefinitions;
    private final DeliveryLedger leases;
    private final Clock clock;

    public MachineApply(StateMachineDeployer machines, JobDefinitionRegistry jobDefinitions, DeliveryLedger leases,
                        Clock clock) {
        this.machines = machines;
        this.jobDefinitions = jobDefinitions;
        this.leases = leases;
        this.clock = clock;
    }

    /**
     * One change of a state machine.
     *
     * @param jobDefinitions registered before the definition that names them (none for a rollback: an earlier
     *                       deployment registered them)
     * @param triggers       the schedule and finish triggers to set; empty leaves the live ones as they are
     */
    public record Change(String flow, String stateMachine, String definition, List<JobDefinition> jobDefinitions,
                         Map<String, String> tags, String description, Optional<MachineTriggers> triggers) {
        public Change {
            jobDefinitions = List.copyOf(jobDefinitions);
            tags = Map.copyOf(tags);
            description = description.length() > 256 ? description.substring(0, 256) : description;
        }
    }

    /** @throws DeployError.Busy when another deployment, rollback or undeploy of the state machine holds its lease */
    public DeployedMachine apply(String holder, Change change) {
        return leased(change.flow(), change.stateMachine(), holder, () -> {
            jobDefinitions.register(change.jobDefinitions());
            DeployedMachine machine = machines.deploy(change.stateMachine(), change.definition(), change.tags(),
                    change.description());
            change.triggers().ifPresent(t -> {
                machines.schedule(change.stateMachine(), machine.arn(), t.schedule());
                machines.triggerOnFinish(change.stateMachine(), machine.arn(), t.onSuccessOf());
            });
            return machine;
        });
    }

    /**
     * Deletes the state machine with its schedule and finish triggers; false when it did not exist.
     *
     * @throws DeployError.Busy when another writer of the state machine holds its lease
     */
    public boolean remove(String holder, String flow, String stateMachine) {
        return leased(flow, stateMachine, holder, () -> machines.undeploy(stateMachine));
    }

    private <T> T leased(String flow, String stateMachine, String holder, Supplier<T> work) {
        String lease = "machine#" + stateMachine;
        Optional<String> other = leases.claim(lease, holder, clock.instant().plus(LEASE));
        if (other.isPresent()) {
            throw new DeployError.Busy(flow, other.get());
        }
        try {
            return work.get();
        } finally {
            leases.release(lease);
        }
    }
}

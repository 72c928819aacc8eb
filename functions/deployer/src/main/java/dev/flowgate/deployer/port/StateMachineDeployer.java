package dev.flowgate.deployer.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates or updates state machines (publishing a version each time) and what starts them by themselves: the
 * schedule of {@code @schedule} and the rule of {@code @trigger_on_finish}. Every call is idempotent.
 */
public interface StateMachineDeployer {
    DeployedMachine deploy(String name, String definition, Map<String, String> tags, String versionDescription);

    /** The live definition, or empty when the state machine does not exist. */
    Optional<String> currentDefinition(String name);

    /**
     * Creates, updates or (when empty) removes the state machine's schedule, and removes any schedule of it
     * kept elsewhere (so a flow never fires twice).
     */
    void schedule(String name, String stateMachineArn, Optional<FlowCompiler.Schedule> schedule);

    /**
     * Starts the state machine whenever one of {@code upstreamStateMachines} (names, in the same account and
     * region) succeeds; an empty list removes that.
     */
    void triggerOnFinish(String name, String stateMachineArn, List<String> upstreamStateMachines);

    /** @param versionArn the published version, empty if the service did not publish one */
    record DeployedMachine(String arn, String versionArn, boolean created) {
    }

    /** Deletes the schedule, the finish trigger and the state machine (with its versions); false when it did not exist. */
    boolean undeploy(String name);
}

package dev.flowgate.deployer.port;

import java.util.Map;
import java.util.Optional;

/** Creates or updates state machines (publishing a version each time) and their schedules. */
public interface StateMachineDeployer {
    DeployedMachine deploy(String name, String definition, Map<String, String> tags, String versionDescription);

    /** The live definition, or empty when the state machine does not exist. */
    Optional<String> currentDefinition(String name);

    /** Creates, updates or (with an empty expression) removes the state machine's schedule. */
    void schedule(String name, String stateMachineArn, Optional<String> expression);

    /** @param versionArn the published version, empty if the service did not publish one */
    record DeployedMachine(String arn, String versionArn, boolean created) {
    }

    /** Deletes the schedule rule and the state machine (with its versions); false when it did not exist. */
    boolean undeploy(String name);
}

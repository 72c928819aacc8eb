package dev.flowgate.alerter.domain;

import java.util.Map;
import java.util.Optional;

/**
 * Which state machines are Flowgate's: those carrying the deployer's {@code flowgate:deployment} tag, or
 * (for machines deployed by hand with {@code step-functions create}) whose name starts with the configured
 * prefix (FLOWGATE_STATE_MACHINE_PREFIX, unset = tags only).
 */
public record StateMachineFilter(Optional<String> namePrefix) {
    public static final String DEPLOYMENT_TAG = "flowgate:deployment";

    public boolean isFlowgate(String stateMachineName, Map<String, String> tags) {
        return tags.containsKey(DEPLOYMENT_TAG)
                || namePrefix.filter(p -> !p.isEmpty()).map(stateMachineName::startsWith).orElse(false);
    }
}

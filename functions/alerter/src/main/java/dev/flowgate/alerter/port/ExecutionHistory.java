package dev.flowgate.alerter.port;

import dev.flowgate.alerter.domain.ExecutionTrace;

import java.util.Map;

/** What Step Functions knows about a state machine and one of its executions. */
public interface ExecutionHistory {
    /** The state machine's tags; empty when it has none or no longer exists. */
    Map<String, String> tags(String stateMachineArn);

    /** Dates, error, cause and the newest history events up to (at least) the failed state. */
    ExecutionTrace trace(String executionArn);
}

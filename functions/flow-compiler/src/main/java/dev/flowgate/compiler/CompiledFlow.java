package dev.flowgate.compiler;

import java.util.List;
import java.util.Optional;

/**
 * A compiled flow: the state machine name and definition (Amazon States Language JSON), the EventBridge
 * schedule expression when the flow has {@code @schedule}, and the AWS Batch job definitions the definition
 * refers to by name (to be registered, idempotently, before the state machine is created or updated).
 */
public record CompiledFlow(String stateMachineName, String definitionJson, Optional<String> scheduleExpression,
                           List<JobDefinition> jobDefinitions) {

    /** A Batch job definition: its content-addressed name and the RegisterJobDefinition request as JSON. */
    public record JobDefinition(String name, String registrationJson) {
    }
}

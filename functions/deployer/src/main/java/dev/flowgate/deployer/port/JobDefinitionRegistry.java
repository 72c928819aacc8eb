package dev.flowgate.deployer.port;

import java.util.List;

/** Registers the AWS Batch job definitions a compiled state machine names (idempotent: names are content-addressed). */
public interface JobDefinitionRegistry {
    void register(List<FlowCompiler.JobDefinition> definitions);
}

package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.ProjectManifest.StepFunctionsOptions;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Metaflow flow source to a Step Functions state machine. Implementations parse the source, never execute it,
 * and throw {@link dev.flowgate.deployer.domain.DeployError.CompileFailed} for a flow they refuse.
 */
public interface FlowCompiler {
    CompiledFlow compile(CompileRequest request);

    /**
     * @param settings       Metaflow configuration (the same keys as a Metaflow config file)
     * @param projectBranch  the @project branch: {@code prod} or {@code test.<branch>}
     * @param production     true for the production branch
     * @param productionToken the token the entry step carries (kept from the live state machine on redeploys)
     * @param owner          the deploying identity ({@code metaflow.owner})
     * @param options        the flow's Step Functions options from flowgate.yaml (Distributed Map, max workers, timeout)
     */
    record CompileRequest(String flowSource, String fileName, String flowName, Map<String, String> settings,
                          String codePackageUrl, String codePackageSha, int codePackageLayout, String projectBranch,
                          boolean production, String productionToken, String owner, StepFunctionsOptions options) {
        public CompileRequest {
            settings = Map.copyOf(settings);
            options = options == null ? StepFunctionsOptions.DEFAULT : options;
        }
    }

    /**
     * @param schedule       an EventBridge schedule expression from {@code @schedule}, when the flow has one
     * @param jobDefinitions AWS Batch job definitions the states name, to register before deploying
     */
    record CompiledFlow(String stateMachineName, String definitionJson, Optional<String> schedule,
                        List<JobDefinition> jobDefinitions) {
        public CompiledFlow {
            jobDefinitions = List.copyOf(jobDefinitions);
        }
    }

    /** A Batch job definition: its (content-addressed) name and the RegisterJobDefinition request as JSON. */
    record JobDefinition(String name, String registrationJson) {
    }
}

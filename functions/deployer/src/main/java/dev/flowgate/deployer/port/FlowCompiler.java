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
     * The files the flow's {@code IncludeFile} parameters read by default, as paths in the repository (the flow
     * file's directory is where relative defaults start). Metaflow uploads them at deploy time; so does the
     * deployer, then passes them to {@link #compile} in {@link CompileRequest#includedFiles()}.
     *
     * @param flowFile the flow file's path in the repository
     */
    List<IncludedFile> includedFiles(String flowSource, String flowFile);

    /** An {@code IncludeFile} parameter and the repository path of its default file. */
    record IncludedFile(String parameter, String repositoryPath) {
    }

    /** An included file as stored in the datastore: its location and its size in bytes. */
    record StoredFile(String location, long size) {
    }

    /**
     * @param settings       Metaflow configuration (the same keys as a Metaflow config file)
     * @param projectBranch  the @project branch: {@code prod} or {@code test.<branch>}
     * @param production     true for the production branch
     * @param productionToken the token the entry step carries (kept from the live state machine on redeploys)
     * @param owner          the deploying identity ({@code metaflow.owner})
     * @param options        the flow's Step Functions options from flowgate.yaml (Distributed Map, max workers, timeout)
     * @param includedFiles  per {@code IncludeFile} parameter, where its default file was stored
     */
    record CompileRequest(String flowSource, String fileName, String flowName, Map<String, String> settings,
                          String codePackageUrl, String codePackageSha, int codePackageLayout, String projectBranch,
                          boolean production, String productionToken, String owner, StepFunctionsOptions options,
                          Map<String, StoredFile> includedFiles) {
        public CompileRequest {
            settings = Map.copyOf(settings);
            options = options == null ? StepFunctionsOptions.DEFAULT : options;
            includedFiles = includedFiles == null ? Map.of() : Map.copyOf(includedFiles);
        }

        public CompileRequest(String flowSource, String fileName, String flowName, Map<String, String> settings,
                              String codePackageUrl, String codePackageSha, int codePackageLayout, String projectBranch,
                              boolean production, String productionToken, String owner, StepFunctionsOptions options) {
            this(flowSource, fileName, flowName, settings, codePackageUrl, codePackageSha, codePackageLayout, projectBranch,
                    production, productionToken, owner, options, Map.of());
        }
    }

    /**
     * @param schedule       the flow's {@code @schedule}, when it has one
     * @param jobDefinitions AWS Batch job definitions the states name, to register before deploying
     * @param triggeredBy    state machines whose successful executions start this one ({@code @trigger_on_finish})
     */
    record CompiledFlow(String stateMachineName, String definitionJson, Optional<Schedule> schedule,
                        List<JobDefinition> jobDefinitions, List<String> triggeredBy) {
        public CompiledFlow {
            jobDefinitions = List.copyOf(jobDefinitions);
            triggeredBy = List.copyOf(triggeredBy);
        }
    }

    /**
     * A schedule: an AWS cron or rate expression, evaluated in {@code timezone} (an IANA name) when given, else UTC.
     */
    record Schedule(String expression, Optional<String> timezone) {
        public static Schedule utc(String expression) {
            return new Schedule(expression, Optional.empty());
        }

        @Override
        public String toString() {
            return expression + timezone.map(z -> " in " + z).orElse("");
        }
    }

    /** A Batch job definition: its (content-addressed) name and the RegisterJobDefinition request as JSON. */
    record JobDefinition(String name, String registrationJson) {
    }
}

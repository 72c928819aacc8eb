package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.ProjectBranch;
import dev.flowgate.deployer.domain.ProjectManifest.StepFunctionsOptions;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Metaflow flow source to a Step Functions state machine. Implementations parse the source, never execute it,
 * and throw {@link dev.flowgate.deployer.domain.DeployError.CompileFailed} for a flow they refuse.
 */
public interface FlowCompiler {
    CompiledFlow compile(CompileRequest request);

    /**
     * The flow of {@code request} (its source, Config files and values) parsed once, never run: a deployment asks
     * everything else of the result. The request's flow fields are the ones parsed; a later request given to the
     * result only adds what compiling needs (package, branch, token, included files).
     */
    default ParsedFlow parse(CompileRequest request) {
        FlowCompiler compiler = this;
        return new ParsedFlow() {
            @Override
            public Map<String, String> configValues() {
                return compiler.configValues(request);
            }

            @Override
            public FlowNaming naming(CompileRequest deployment) {
                return compiler.naming(deployment);
            }

            @Override
            public List<IncludedFile> includedFiles(String flowFile) {
                return compiler.includedFiles(request, flowFile);
            }

            @Override
            public CompiledFlow compile(CompileRequest deployment) {
                return compiler.compile(deployment);
            }

            @Override
            public String entryStep() {
                return compiler.entryStep(request);
            }

            @Override
            public GraphReport checkGraph(Object runGraphInfo) {
                return compiler.checkGraph(request, runGraphInfo);
            }

            @Override
            public CompiledFlow compile(CompileRequest deployment, Object runGraphInfo) {
                return compiler.compile(deployment, runGraphInfo);
            }
        };
    }

    /** A flow parsed once ({@link #parse}); the same questions as this port's, without parsing the source again. */
    interface ParsedFlow {
        Map<String, String> configValues();

        FlowNaming naming(CompileRequest deployment);

        List<IncludedFile> includedFiles(String flowFile);

        CompiledFlow compile(CompileRequest deployment);

        String entryStep();

        GraphReport checkGraph(Object runGraphInfo);

        CompiledFlow compile(CompileRequest deployment, Object runGraphInfo);
    }

    /**
     * The flow's {@code @project} name and what its state machine is called in this deployment, as {@link #compile}
     * will name it (the compiler's naming is the one source of names). {@code stateMachineName} is empty when the
     * deployment cannot have one: an experimental branch of a flow without {@code @project}, whose only state machine
     * is the production one.
     */
    FlowNaming naming(CompileRequest request);

    /** @param project the flow's {@code @project} name, empty without one */
    record FlowNaming(Optional<String> project, Optional<String> stateMachineName) {
    }

    /**
     * The files the flow's {@code IncludeFile} parameters read by default, as paths in the repository (the flow
     * file's directory is where relative defaults start). Metaflow uploads them at deploy time; so does the
     * deployer, then passes them to {@link #compile} in {@link CompileRequest#includedFiles()}.
     *
     * @param request  the compile request (its source, Configs and files), without included files yet
     * @param flowFile the flow file's path in the repository
     */
    List<IncludedFile> includedFiles(CompileRequest request, String flowFile);

    /** An {@code IncludeFile} parameter and the repository path of its default file. */
    record IncludedFile(String parameter, String repositoryPath) {
    }

    /** An included file as stored in the datastore: its location and its size in bytes. */
    record StoredFile(String location, long size) {
    }

    /**
     * The value of each of the flow's {@code Config}s (name → JSON text, {@code null} JSON when it has none) as the
     * compile determines it, for the {@code user_configs} of a code package Flowgate builds: the containers read
     * them from there. Empty for a flow without Configs.
     */
    default Map<String, String> configValues(CompileRequest request) {
        return Map.of();
    }

    /**
     * The flow's entry step (where the run's {@code _graph_info} is read): {@code start}, or the step marked
     * {@code @step(start=True)}.
     */
    default String entryStep(CompileRequest request) {
        return "start";
    }

    /**
     * The flow compared with what its run recorded ({@code runGraphInfo}: the decoded {@code _graph_info}, plain
     * values), after taking the decorators the run's mutators inserted from that record. Implementations that cannot
     * compare must throw: the gate fails closed.
     */
    default GraphReport checkGraph(CompileRequest request, Object runGraphInfo) {
        throw new dev.flowgate.deployer.domain.DeployError.GraphMismatch(request.flowName(),
                "this compiler cannot compare the flow with the run's graph", List.of());
    }

    /** As {@link #compile(CompileRequest)}, with the decorators the run's mutators inserted taken from its record. */
    default CompiledFlow compile(CompileRequest request, Object runGraphInfo) {
        throw new dev.flowgate.deployer.domain.DeployError.GraphMismatch(request.flowName(),
                "this compiler cannot take mutators' decorators from the run's graph", List.of());
    }

    /**
     * @param differences each difference, naming step, decorator, attribute, the run's and the compiled value
     * @param honoured    the mutators' decorators taken over from the run, one line each
     * @param summary     one line for messages (the differences, or what was compared)
     */
    record GraphReport(List<String> differences, List<String> honoured, String summary) {
        public GraphReport {
            differences = List.copyOf(differences);
            honoured = List.copyOf(honoured);
        }

        public boolean matches() {
            return differences.isEmpty();
        }
    }

    /**
     * Reads a file of the commit being deployed by a path relative to the flow file's directory (a Config's
     * {@code default="train.json"}); empty when the commit has no such file or the path leaves the repository.
     */
    @FunctionalInterface
    interface RepositoryFiles {
        RepositoryFiles NONE = path -> Optional.empty();

        Optional<byte[]> read(String pathRelativeToFlowDirectory);
    }

    /**
     * Build one with {@link #builder()}: sixteen positional values are too easy to swap.
     *
     * @param settings       Metaflow configuration (the same keys as a Metaflow config file)
     * @param codePackageLayout the package's layout ({@code mfcontent_version}): 1 with {@code .mf_install}, else 0
     * @param projectBranch  the @project branch deployed to (production or an experimental branch); null when the
     *                       request only parses the flow
     * @param productionToken the token the entry step carries (kept from the live state machine on redeploys)
     * @param owner          the deploying identity ({@code metaflow.owner})
     * @param options        the flow's Step Functions options from flowgate.yaml (Distributed Map, max workers, timeout)
     * @param includedFiles  per {@code IncludeFile} parameter, where its default file was stored
     * @param files          the commit's files next to the flow, for Config files
     * @param configValues   Config values by name (JSON text) that win over the flow's defaults: those the code
     *                       package of the deployed run carries, which its containers read
     * @param codePackageSha256 SHA-256 of the published package at {@code codePackageUrl}, which every container
     *                       checks before extracting it (null: a placeholder no package matches)
     */
    record CompileRequest(String flowSource, String fileName, String flowName, Map<String, String> settings,
                          String codePackageUrl, String codePackageSha, int codePackageLayout, ProjectBranch projectBranch,
                          String productionToken, String owner, StepFunctionsOptions options,
                          RepositoryFiles files, Map<String, String> configValues, Map<String, StoredFile> includedFiles,
                          String codePackageSha256) {
        public CompileRequest {
            settings = Map.copyOf(settings);
            options = options == null ? StepFunctionsOptions.DEFAULT : options;
            files = files == null ? RepositoryFiles.NONE : files;
            configValues = configValues == null ? Map.of() : Map.copyOf(configValues);
            includedFiles = includedFiles == null ? Map.of() : Map.copyOf(includedFiles);
        }

        /** True when the request deploys to the production branch. */
        public boolean production() {
            return projectBranch != null && projectBranch.isProduction();
        }

        /**
         * A request named value by value. The flow's source, file name and name and the settings are required; the
         * rest default to a placeholder package (layout 1, no URL, SHA-1 or SHA-256), no branch, not production, no
         * token, the default owner and Step Functions options, no repository files, Config values or included files.
         */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder holding this request, for a copy that differs in a few values. */
        public Builder toBuilder() {
            return new Builder().flowSource(flowSource).fileName(fileName).flowName(flowName).settings(settings)
                    .codePackageUrl(codePackageUrl).codePackageSha(codePackageSha).codePackageLayout(codePackageLayout)
                    .projectBranch(projectBranch).productionToken(productionToken).owner(owner)
                    .options(options).files(files).configValues(configValues).includedFiles(includedFiles)
                    .codePackageSha256(codePackageSha256);
        }

        /** Collects a {@link CompileRequest} by name; {@link #build()} checks the required values are there. */
        public static final class Builder {
            private String flowSource;
            private String fileName;
            private String flowName;
            private Map<String, String> settings;
            private String codePackageUrl;
            private String codePackageSha;
            private int codePackageLayout = 1;
            private ProjectBranch projectBranch;
            private String productionToken;
            private String owner;
            private StepFunctionsOptions options = StepFunctionsOptions.DEFAULT;
            private RepositoryFiles files = RepositoryFiles.NONE;
            private Map<String, String> configValues = Map.of();
            private Map<String, StoredFile> includedFiles = Map.of();
            private String codePackageSha256;

            private Builder() {
            }

            public Builder flowSource(String flowSource) {
                this.flowSource = flowSource;
                return this;
            }

            public Builder fileName(String fileName) {
                this.fileName = fileName;
                return this;
            }

            public Builder flowName(String flowName) {
                this.flowName = flowName;
                return this;
            }

            public Builder settings(Map<String, String> settings) {
                this.settings = settings;
                return this;
            }

            public Builder codePackageUrl(String codePackageUrl) {
                this.codePackageUrl = codePackageUrl;
                return this;
            }

            public Builder codePackageSha(String codePackageSha) {
                this.codePackageSha = codePackageSha;
                return this;
            }

            public Builder codePackageLayout(int codePackageLayout) {
                this.codePackageLayout = codePackageLayout;
                return this;
            }

            public Builder projectBranch(ProjectBranch projectBranch) {
                this.projectBranch = projectBranch;
                return this;
            }

            public Builder productionToken(String productionToken) {
                this.productionToken = productionToken;
                return this;
            }

            public Builder owner(String owner) {
                this.owner = owner;
                return this;
            }

            /** Null: {@link StepFunctionsOptions#DEFAULT}. */
            public Builder options(StepFunctionsOptions options) {
                this.options = options;
                return this;
            }

            /** Null: {@link RepositoryFiles#NONE}. */
            public Builder files(RepositoryFiles files) {
                this.files = files;
                return this;
            }

            public Builder configValues(Map<String, String> configValues) {
                this.configValues = configValues;
                return this;
            }

            public Builder includedFiles(Map<String, StoredFile> includedFiles) {
                this.includedFiles = includedFiles;
                return this;
            }

            public Builder codePackageSha256(String codePackageSha256) {
                this.codePackageSha256 = codePackageSha256;
                return this;
            }

            /** @throws NullPointerException naming the first required value missing */
            public CompileRequest build() {
                Objects.requireNonNull(flowSource, "flowSource");
                Objects.requireNonNull(fileName, "fileName");
                Objects.requireNonNull(flowName, "flowName");
                Objects.requireNonNull(settings, "settings");
                return new CompileRequest(flowSource, fileName, flowName, settings, codePackageUrl, codePackageSha,
                        codePackageLayout, projectBranch, productionToken, owner, options, files,
                        configValues, includedFiles, codePackageSha256);
            }
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

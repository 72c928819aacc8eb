package dev.flowgate.deployer.adapter;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graphinfo.GraphDifference;
import dev.flowgate.compiler.graphinfo.RecordedGraph;
import dev.flowgate.compiler.graphinfo.RunGraphCheck;
import dev.flowgate.compiler.parse.ConfigInputs;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.FlowCompiler;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployer's compile stage on Flowgate's flow compiler library (functions/flow-compiler): parses the flow
 * source (never runs it), checks it defines the flow flowgate.yaml names, and compiles it against the verified
 * code package with the deployment's @project branch, production token and owner. A Config's {@code default=} file
 * is read from the deployed commit, relative to the flow file.
 */
public final class MetaflowFlowCompiler implements FlowCompiler {
    /**
     * Parses the flow once (Config values resolved together with the graph) and checks it defines the flow
     * flowgate.yaml names; every other question is answered from that one parse.
     */
    @Override
    public ParsedFlow parse(CompileRequest request) {
        dev.flowgate.compiler.FlowCompiler.ResolvedFlow resolved = lint(request, () ->
                dev.flowgate.compiler.FlowCompiler.resolve(request.fileName(), request.flowSource(), configInputs(request)));
        FlowGraph graph = resolved.graph();
        if (!graph.flowName().equals(request.flowName())) {
            throw new DeployError.CompileFailed(request.flowName(), request.fileName() + " defines " + graph.flowName()
                    + ", but flowgate.yaml names it " + request.flowName() + "; make them agree", null);
        }
        Map<String, String> values = new LinkedHashMap<>();
        resolved.configValues().forEach((name, value) -> values.put(name, String.valueOf(value)));
        return new Parsed(request, graph, Map.copyOf(values));
    }

    /** One parse of one flow source. */
    private record Parsed(CompileRequest request, FlowGraph graph, Map<String, String> configValues) implements ParsedFlow {
        @Override
        public FlowNaming naming(CompileRequest deployment) {
            Optional<String> project = dev.flowgate.compiler.FlowCompiler.projectName(graph);
            if (project.isEmpty() && !deployment.production()) {
                return new FlowNaming(project, Optional.empty());
            }
            return new FlowNaming(project, Optional.of(settingsChecked(deployment, () ->
                    dev.flowgate.compiler.FlowCompiler.stateMachineName(graph, options(deployment)))));
        }

        @Override
        public List<FlowCompiler.IncludedFile> includedFiles(String flowFile) {
            try {
                return dev.flowgate.compiler.asl.IncludedFile.of(graph).stream()
                        .map(f -> new FlowCompiler.IncludedFile(f.parameter(), f.repositoryPath(flowFile))).toList();
            } catch (IllegalArgumentException e) {
                throw new DeployError.CompileFailed(request.flowName(), e.getMessage() + "; commit the file inside the repository", e);
            }
        }

        @Override
        public CompiledFlow compile(CompileRequest deployment) {
            return compileGraph(deployment, graph);
        }

        @Override
        public String entryStep() {
            return graph.startStep();
        }

        @Override
        public GraphReport checkGraph(Object runGraphInfo) {
            RunGraphCheck check = check(runGraphInfo);
            return new GraphReport(check.differences().stream().map(GraphDifference::describe).toList(), check.honoured(),
                    check.summary());
        }

        @Override
        public CompiledFlow compile(CompileRequest deployment, Object runGraphInfo) {
            RunGraphCheck check = check(runGraphInfo);
            if (!check.matches()) {
                throw new DeployError.GraphMismatch(request.flowName(), check.summary(),
                        check.differences().stream().map(GraphDifference::describe).toList());
            }
            return compileGraph(deployment, check.graph());
        }

        private RunGraphCheck check(Object runGraphInfo) {
            RecordedGraph recorded;
            try {
                recorded = RecordedGraph.fromPlain(runGraphInfo);
            } catch (RecordedGraph.Malformed e) {
                throw new DeployError.GraphMismatch(request.flowName(), "the run's _graph_info is not what Metaflow records: "
                        + e.getMessage(), List.of());
            }
            return RunGraphCheck.of(graph, recorded);
        }
    }

    @Override
    public CompiledFlow compile(CompileRequest request) {
        return parse(request).compile(request);
    }

    @Override
    public FlowNaming naming(CompileRequest request) {
        return parse(request).naming(request);
    }

    @Override
    public List<FlowCompiler.IncludedFile> includedFiles(CompileRequest request, String flowFile) {
        return parse(request).includedFiles(flowFile);
    }

    @Override
    public Map<String, String> configValues(CompileRequest request) {
        return parse(request).configValues();
    }

    @Override
    public String entryStep(CompileRequest request) {
        return parse(request).entryStep();
    }

    @Override
    public GraphReport checkGraph(CompileRequest request, Object runGraphInfo) {
        return parse(request).checkGraph(runGraphInfo);
    }

    @Override
    public CompiledFlow compile(CompileRequest request, Object runGraphInfo) {
        return parse(request).compile(request, runGraphInfo);
    }

    /** Config files come from the deployed commit, next to the flow file (UTF-8); the request's values win. */
    private static ConfigInputs configInputs(CompileRequest request) {
        return new ConfigInputs(path -> request.files().read(path).map(bytes -> new String(bytes, StandardCharsets.UTF_8)),
                request.configValues());
    }

    /** A lint problem of the flow is the deployment's refusal. */
    private static <T> T lint(CompileRequest request, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        }
    }

    /** Lint problems and bad deployment settings are the deployment's refusal. */
    private static <T> T settingsChecked(CompileRequest request, java.util.function.Supplier<T> work) {
        try {
            return lint(request, work);
        } catch (DeploymentSettings.SettingsException e) {
            throw new DeployError.CompileFailed(request.flowName(), "deployment settings (FLOWGATE_METAFLOW_CONFIG): "
                    + e.getMessage(), e);
        }
    }

    /** Metaflow: production without --branch is "prod"; a git branch deploys with --branch (the branch's name). */
    private static CompileOptions options(CompileRequest request) {
        String metadata = "{\"version\": 0, \"archive_format\": \"tgz\", \"mfcontent_version\": "
                + request.codePackageLayout() + "}";
        String branch = request.projectBranch() == null ? null : request.projectBranch().experimentalName().orElse(null);
        return CompileOptions.builder().settings(DeploymentSettings.fromConfig(request.settings()))
                .codePackageUrl(request.codePackageUrl())
                .codePackageSha(request.codePackageSha())
                .codePackageSha256(request.codePackageSha256())
                .codePackageMetadata(metadata)
                .branch(branch)
                .production(request.production())
                .productionToken(request.productionToken())
                .owner(request.owner())
                .maxWorkers(request.options().maxWorkers())
                .distributedMap(request.options().distributedMap())
                .workflowTimeoutSeconds(request.options().workflowTimeoutSeconds())
                .tags(request.options().tags())
                .build();
    }

    private static CompiledFlow compileGraph(CompileRequest request, FlowGraph graph) {
        try {
            return settingsChecked(request, () -> {
                CompileOptions options = options(request);
                Map<String, String> descriptors = new LinkedHashMap<>();
                for (dev.flowgate.compiler.asl.IncludedFile file : dev.flowgate.compiler.asl.IncludedFile.of(graph)) {
                    StoredFile stored = request.includedFiles().get(file.parameter());
                    if (stored != null) {
                        descriptors.put(file.parameter(), file.descriptor(stored.location(), stored.size()));
                    }
                }
                dev.flowgate.compiler.CompiledFlow compiled = dev.flowgate.compiler.FlowCompiler.compile(graph,
                        options.toBuilder().includedFiles(descriptors).build());
                return new CompiledFlow(compiled.stateMachineName(), compiled.definitionJson(),
                        compiled.schedule().map(s -> new FlowCompiler.Schedule(s.expression(), s.timezone())),
                        compiled.jobDefinitions().stream().map(j -> new JobDefinition(j.name(), j.registrationJson())).toList(),
                        compiled.finishTriggers().stream().map(t -> t.stateMachineName()).toList());
            });
        } catch (IllegalArgumentException e) {
            // e.g. a code package location outside the datastore root or with characters a shell could read
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        }
    }
}

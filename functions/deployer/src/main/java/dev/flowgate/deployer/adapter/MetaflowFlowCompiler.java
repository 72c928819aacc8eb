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
import dev.flowgate.model.naming.StateMachineNames;

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
    @Override
    public List<FlowCompiler.IncludedFile> includedFiles(CompileRequest request, String flowFile) {
        try {
            FlowGraph graph = dev.flowgate.compiler.FlowCompiler.parse(request.fileName(), request.flowSource(), configInputs(request));
            return dev.flowgate.compiler.asl.IncludedFile.of(graph).stream()
                    .map(f -> new FlowCompiler.IncludedFile(f.parameter(), f.repositoryPath(flowFile))).toList();
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage() + "; commit the file inside the repository", e);
        }
    }

    public Map<String, String> configValues(CompileRequest request) {
        try {
            Map<String, String> values = new LinkedHashMap<>();
            dev.flowgate.compiler.FlowCompiler.configValues(request.fileName(), request.flowSource(), configInputs(request))
                    .forEach((name, value) -> values.put(name, value.toString()));
            return values;
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        }
    }

    /** Config files come from the deployed commit, next to the flow file (UTF-8); the request's values win. */
    private static ConfigInputs configInputs(CompileRequest request) {
        return new ConfigInputs(path -> request.files().read(path).map(bytes -> new String(bytes, StandardCharsets.UTF_8)),
                request.configValues());
    }

    @Override
    public String entryStep(CompileRequest request) {
        return parsed(request).startStep();
    }

    @Override
    public GraphReport checkGraph(CompileRequest request, Object runGraphInfo) {
        RunGraphCheck check = check(request, runGraphInfo);
        return new GraphReport(check.differences().stream().map(GraphDifference::describe).toList(), check.honoured(),
                check.summary());
    }

    @Override
    public CompiledFlow compile(CompileRequest request, Object runGraphInfo) {
        RunGraphCheck check = check(request, runGraphInfo);
        if (!check.matches()) {
            throw new DeployError.GraphMismatch(request.flowName(), check.summary(),
                    check.differences().stream().map(GraphDifference::describe).toList());
        }
        return compile(request, check.graph());
    }

    private RunGraphCheck check(CompileRequest request, Object runGraphInfo) {
        RecordedGraph recorded;
        try {
            recorded = RecordedGraph.fromPlain(runGraphInfo);
        } catch (RecordedGraph.Malformed e) {
            throw new DeployError.GraphMismatch(request.flowName(), "the run's _graph_info is not what Metaflow records: "
                    + e.getMessage(), java.util.List.of());
        }
        return RunGraphCheck.of(parsed(request), recorded);
    }

    /** The flow parsed (never run), with a lint failure as a refusal. */
    private static FlowGraph parsed(CompileRequest request) {
        try {
            return graph(request);
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        }
    }

    @Override
    public FlowNaming naming(CompileRequest request) {
        try {
            FlowGraph graph = graph(request);
            Optional<String> project = dev.flowgate.compiler.FlowCompiler.projectName(graph);
            if (project.isEmpty() && !request.production()) {
                return new FlowNaming(project, Optional.empty());
            }
            return new FlowNaming(project, Optional.of(dev.flowgate.compiler.FlowCompiler.stateMachineName(graph,
                    options(request, DeploymentSettings.fromConfig(request.settings())))));
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        } catch (DeploymentSettings.SettingsException e) {
            throw new DeployError.CompileFailed(request.flowName(), "deployment settings (FLOWGATE_METAFLOW_CONFIG): "
                    + e.getMessage(), e);
        }
    }

    /** The flow the request names, parsed (never run). */
    private static FlowGraph graph(CompileRequest request) {
        FlowGraph graph = dev.flowgate.compiler.FlowCompiler.parse(request.fileName(), request.flowSource(), configInputs(request));
        if (!graph.flowName().equals(request.flowName())) {
            throw new DeployError.CompileFailed(request.flowName(), request.fileName() + " defines " + graph.flowName()
                    + ", but flowgate.yaml names it " + request.flowName() + "; make them agree", null);
        }
        return graph;
    }

    /** Metaflow: production without --branch is "prod"; a git branch deploys with --branch as "test.<branch>". */
    private static CompileOptions options(CompileRequest request, DeploymentSettings settings) {
        String metadata = "{\"version\": 0, \"archive_format\": \"tgz\", \"mfcontent_version\": "
                + request.codePackageLayout() + "}";
        String branch = request.production() ? null : StateMachineNames.branchOf(request.projectBranch()).orElse(null);
        return CompileOptions.builder().settings(settings)
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
                .build();
    }

    @Override
    public CompiledFlow compile(CompileRequest request) {
        return compile(request, parsed(request));
    }

    private CompiledFlow compile(CompileRequest request, FlowGraph graph) {
        try {
            CompileOptions options = options(request, DeploymentSettings.fromConfig(request.settings()));
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
        } catch (FlowLintException e) {
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        } catch (DeploymentSettings.SettingsException e) {
            throw new DeployError.CompileFailed(request.flowName(), "deployment settings (FLOWGATE_METAFLOW_CONFIG): "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // e.g. a code package location outside the datastore root or with characters a shell could read
            throw new DeployError.CompileFailed(request.flowName(), e.getMessage(), e);
        }
    }
}

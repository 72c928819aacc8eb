package dev.flowgate.deployer.domain.graph;

import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
import dev.flowgate.deployer.port.FlowCompiler.CompiledFlow;
import dev.flowgate.deployer.port.FlowCompiler.GraphReport;
import dev.flowgate.deployer.port.RunArtifacts;
import dev.flowgate.deployer.port.RunArtifacts.StoredArtifact;

import java.util.List;

/**
 * The gate's graph stage: production runs the graph the verified run ran. Reads the prod_ready run's own record of
 * what it executed ({@code _graph_info}, once per check) from the team's datastore, checks its content address,
 * decodes it (plain values only, never a Python process), and compares it with the compiled flow. Decorators the
 * run's mutators inserted are taken from the record and the flow is compiled again with them; any difference, or a
 * record that cannot be read or trusted, refuses the deployment ({@link DeployError.GraphMismatch}).
 */
public final class GraphCheck {
    public static final String ARTIFACT = "_graph_info";
    private final RunArtifacts artifacts;
    private final FlowCompiler compiler;

    public GraphCheck(RunArtifacts artifacts, FlowCompiler compiler) {
        this.artifacts = artifacts;
        this.compiler = compiler;
    }

    /**
     * @param flow    what to deploy: the compiled flow, with the mutators' decorators when the run had any
     * @param summary one line for messages and dry runs
     */
    public record Checked(CompiledFlow flow, String summary, List<String> honoured) {
        public Checked {
            honoured = List.copyOf(honoured);
        }

        /** What a result shows of the check: its summary and the mutators' decorators taken over. */
        public GraphNote note() {
            return new GraphNote(summary, honoured);
        }
    }

    /** The graph stage's outcome as results show it ({@code flowgate deploy --dry-run} prints it). */
    public record GraphNote(String summary, List<String> takenOver) {
        public GraphNote {
            takenOver = List.copyOf(takenOver);
        }
    }

    /** @param compiled what the compile stage made of {@code request} */
    public Checked check(TaggedRun run, CompileRequest request, CompiledFlow compiled) {
        return check(run, compiler.parse(request), request, compiled);
    }

    /**
     * @param parsed   the flow as the deployment parsed it (once)
     * @param compiled what the compile stage made of {@code request}
     */
    public Checked check(TaggedRun run, FlowCompiler.ParsedFlow parsed, CompileRequest request, CompiledFlow compiled) {
        Object record = record(run, parsed.entryStep());
        GraphReport report = parsed.checkGraph(record);
        if (!report.matches()) {
            throw new DeployError.GraphMismatch(request.flowName(), report.summary() + "; the compiled flow is not the graph"
                    + " the prod_ready run " + run.pathspec() + " executed", report.differences());
        }
        CompiledFlow deployed = report.honoured().isEmpty() ? compiled : parsed.compile(request, record);
        return new Checked(deployed, report.summary(), report.honoured());
    }

    private Object record(TaggedRun run, String entryStep) {
        StoredArtifact stored = artifacts.read(run, entryStep, ARTIFACT);
        try {
            byte[] pickle = PlainPickle.gunzip(stored.stored());
            String actual = CodePackageReader.sha1(pickle);
            if (!actual.equals(stored.sha())) {
                throw new PlainPickle.Refused("its content has SHA-1 " + actual + ", the run recorded " + stored.sha());
            }
            return PlainPickle.decode(pickle);
        } catch (PlainPickle.Refused e) {
            throw new DeployError.GraphMismatch(run.flow(), "the prod_ready run's " + ARTIFACT + " at " + stored.location()
                    + " is refused: " + e.getMessage(), List.of());
        }
    }
}

package dev.flowgate.deployer.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one flow in one deployment: the row {@code flowgate deployments FLOW} lists, and what
 * {@code flowgate rollback FLOW} restores (the state machine definition that was live).
 *
 * @param kind        {@code deploy} or {@code rollback}
 * @param stageMillis how long each pipeline stage took
 * @param differing   files named by a code mismatch (empty otherwise)
 * @param definition  the deployed state machine definition (empty unless deployed)
 * @param gateTagging who first added the gate tag to the run deployed, and when (null when unknown or no run)
 */
public record DeploymentRecord(String deploymentId, String flow, String kind, String repository, String commitSha,
                               String branch, Outcome outcome, String message, String runPathspec,
                               String stateMachine, String versionArn, String definition, Instant at,
                               Map<String, Long> stageMillis, List<String> differing, GateTagging gateTagging) {
    public DeploymentRecord {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(at, "at");
        kind = kind == null ? "deploy" : kind;
        repository = nz(repository);
        commitSha = nz(commitSha);
        branch = nz(branch);
        message = nz(message);
        runPathspec = nz(runPathspec);
        stateMachine = nz(stateMachine);
        versionArn = nz(versionArn);
        definition = nz(definition);
        stageMillis = Map.copyOf(stageMillis == null ? Map.of() : stageMillis);
        differing = List.copyOf(differing == null ? List.of() : differing);
    }

    public DeploymentRecord(String deploymentId, String flow, String kind, String repository, String commitSha,
                            String branch, Outcome outcome, String message, String runPathspec, String stateMachine,
                            String versionArn, String definition, Instant at, Map<String, Long> stageMillis,
                            List<String> differing) {
        this(deploymentId, flow, kind, repository, commitSha, branch, outcome, message, runPathspec, stateMachine,
                versionArn, definition, at, stageMillis, differing, null);
    }

    /** This record naming who tagged the run it deployed (empty leaves it as it is). */
    public DeploymentRecord withGateTagging(Optional<GateTagging> gate) {
        return gate.map(g -> new DeploymentRecord(deploymentId, flow, kind, repository, commitSha, branch, outcome,
                message, runPathspec, stateMachine, versionArn, definition, at, stageMillis, differing, g)).orElse(this);
    }

    public Optional<GateTagging> gate() {
        return Optional.ofNullable(gateTagging);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}

package dev.flowgate.deployer.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one flow in one deployment: the row {@code flowgate deployments FLOW} lists, and what
 * {@code flowgate rollback FLOW} restores (the state machine definition that was live). Build one with
 * {@link #builder()}: sixteen positional values, most of them strings, are too easy to swap.
 *
 * @param kind        {@code deploy} or {@code rollback}
 * @param stageMillis how long each pipeline stage took
 * @param differing   files named by a code mismatch (empty otherwise)
 * @param definition  the deployed state machine definition (empty unless deployed)
 * @param gateTagging who first added the gate tag to the run deployed, and when (null when unknown or no run)
 * @param production  whether the state machine is the flow's production one (false: an experimental branch's)
 * @param triggers    the schedule and finish triggers deployed with the definition; empty when not recorded
 *                    (records written before they were), when a rollback then leaves the live ones as they are
 */
public record DeploymentRecord(String deploymentId, String flow, String kind, String repository, String commitSha,
                               String branch, Outcome outcome, String message, String runPathspec,
                               String stateMachine, String versionArn, String definition, Instant at,
                               Map<String, Long> stageMillis, List<String> differing, GateTagging gateTagging,
                               boolean production, Optional<MachineTriggers> triggers) {
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
        triggers = triggers == null ? Optional.empty() : triggers;
    }

    /**
     * A record named value by value. Deployment id, flow, outcome and time are required; the kind defaults to
     * {@code deploy}, the other strings to empty, the stage timings and differing files to none, the gate tagging
     * to unknown, the target to production, the triggers to not recorded.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this record, for a copy that differs in a few values. */
    public Builder toBuilder() {
        return new Builder().deploymentId(deploymentId).flow(flow).kind(kind).repository(repository)
                .commitSha(commitSha).branch(branch).outcome(outcome).message(message).runPathspec(runPathspec)
                .stateMachine(stateMachine).versionArn(versionArn).definition(definition).at(at)
                .stageMillis(stageMillis).differing(differing).gateTagging(gateTagging).production(production)
                .triggers(triggers);
    }

    /** Collects a {@link DeploymentRecord} by name; {@link #build()} applies the record's defaults and checks. */
    public static final class Builder {
        private String deploymentId;
        private String flow;
        private String kind;
        private String repository;
        private String commitSha;
        private String branch;
        private Outcome outcome;
        private String message;
        private String runPathspec;
        private String stateMachine;
        private String versionArn;
        private String definition;
        private Instant at;
        private Map<String, Long> stageMillis;
        private List<String> differing;
        private GateTagging gateTagging;
        private boolean production = true;
        private Optional<MachineTriggers> triggers = Optional.empty();

        private Builder() {
        }

        public Builder deploymentId(String deploymentId) {
            this.deploymentId = deploymentId;
            return this;
        }

        public Builder flow(String flow) {
            this.flow = flow;
            return this;
        }

        /** {@code deploy} (the default), {@code rollback} or {@code undeploy}. */
        public Builder kind(String kind) {
            this.kind = kind;
            return this;
        }

        public Builder repository(String repository) {
            this.repository = repository;
            return this;
        }

        public Builder commitSha(String commitSha) {
            this.commitSha = commitSha;
            return this;
        }

        public Builder branch(String branch) {
            this.branch = branch;
            return this;
        }

        public Builder outcome(Outcome outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        public Builder runPathspec(String runPathspec) {
            this.runPathspec = runPathspec;
            return this;
        }

        public Builder stateMachine(String stateMachine) {
            this.stateMachine = stateMachine;
            return this;
        }

        public Builder versionArn(String versionArn) {
            this.versionArn = versionArn;
            return this;
        }

        public Builder definition(String definition) {
            this.definition = definition;
            return this;
        }

        public Builder at(Instant at) {
            this.at = at;
            return this;
        }

        /** Copied on build: a map the pipeline keeps filling does not change the record. */
        public Builder stageMillis(Map<String, Long> stageMillis) {
            this.stageMillis = stageMillis;
            return this;
        }

        public Builder differing(List<String> differing) {
            this.differing = differing;
            return this;
        }

        /** Null: unknown, or no run was deployed. */
        public Builder gateTagging(GateTagging gateTagging) {
            this.gateTagging = gateTagging;
            return this;
        }

        /** False for a deployment of an experimental branch (its own state machine). */
        public Builder production(boolean production) {
            this.production = production;
            return this;
        }

        public Builder triggers(MachineTriggers triggers) {
            this.triggers = Optional.of(triggers);
            return this;
        }

        /** Empty: not recorded (a rollback to this record leaves the live schedule and triggers as they are). */
        public Builder triggers(Optional<MachineTriggers> triggers) {
            this.triggers = triggers;
            return this;
        }

        /** @throws NullPointerException naming the first required value missing */
        public DeploymentRecord build() {
            return new DeploymentRecord(deploymentId, flow, kind, repository, commitSha, branch, outcome, message,
                    runPathspec, stateMachine, versionArn, definition, at, stageMillis, differing, gateTagging,
                    production, triggers);
        }
    }

    public Optional<GateTagging> gate() {
        return Optional.ofNullable(gateTagging);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.graph.GraphCheck;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The synchronous answer to a deploy request (what a Jenkins stage reads): overall outcome — the first failing
 * flow's, else deployed/already_deployed/planned — and one result per flow.
 */
public record DeployResult(String deploymentId, String requestId, String repository, String commitSha, Outcome outcome,
                           String message, List<FlowResult> flows) {
    public DeployResult {
        flows = List.copyOf(flows);
    }

    public static DeployResult of(DeployRequest request, String deploymentId, List<FlowResult> flows) {
        Outcome outcome = flows.stream().map(FlowResult::outcome).filter(Outcome::isFailure).findFirst()
                .orElse(flows.stream().map(FlowResult::outcome).filter(o -> o == Outcome.DEPLOYED).findFirst()
                        .orElse(flows.isEmpty() ? Outcome.SKIPPED : flows.get(0).outcome()));
        String message = flows.stream().filter(f -> f.outcome() == outcome).map(FlowResult::message).findFirst()
                .orElse("nothing to deploy");
        return new DeployResult(deploymentId, request.requestId(), request.repository(), request.commitSha(), outcome,
                message, flows);
    }

    public static DeployResult refused(DeployRequest request, String deploymentId, DeployError error) {
        return new DeployResult(deploymentId, request.requestId(), request.repository(), request.commitSha(),
                error.outcome(), error.getMessage(), List.of());
    }

    /**
     * Build one with {@link #builder()}: ten positional values, several of them strings, are too easy to swap.
     *
     * @param runPathspec the run deployed ({@code Flow/id}), empty when none was
     * @param stateMachine the state machine's name, empty before the compiler named it
     * @param versionArn  the published state machine version, empty unless deployed
     * @param comparison  present once the code was compared
     * @param stageMillis how long each pipeline stage took
     * @param plan        dry run: {@code create}, {@code update} or {@code unchanged}
     * @param gateTagging who first added the gate tag to the run deployed, and when
     * @param graph       present once the compiled flow was checked against the run's own graph record
     */
    public record FlowResult(String flow, Outcome outcome, String message, String runPathspec, String stateMachine,
                             String versionArn, Optional<CodeComparison> comparison, Map<String, Long> stageMillis,
                             Optional<String> plan, Optional<GateTagging> gateTagging, Optional<GraphCheck.GraphNote> graph) {
        public FlowResult {
            stageMillis = Map.copyOf(stageMillis);
            gateTagging = gateTagging == null ? Optional.empty() : gateTagging;
            graph = graph == null ? Optional.empty() : graph;
        }

        /**
         * A result named value by value. Flow, outcome and message are required; the run, state machine and version
         * default to empty strings, the comparison, plan and gate tagging to empty, the stage timings to none.
         */
        public static Builder builder() {
            return new Builder();
        }

        /** Collects a {@link FlowResult} by name; {@link #build()} checks the required values are there. */
        public static final class Builder {
            private String flow;
            private Outcome outcome;
            private String message;
            private String runPathspec = "";
            private String stateMachine = "";
            private String versionArn = "";
            private Optional<CodeComparison> comparison = Optional.empty();
            private Map<String, Long> stageMillis = Map.of();
            private Optional<String> plan = Optional.empty();
            private Optional<GateTagging> gateTagging = Optional.empty();
            private Optional<GraphCheck.GraphNote> graph = Optional.empty();

            private Builder() {
            }

            public Builder flow(String flow) {
                this.flow = flow;
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

            public Builder comparison(Optional<CodeComparison> comparison) {
                this.comparison = comparison;
                return this;
            }

            /** Copied on build: a map the pipeline keeps filling does not change the result. */
            public Builder stageMillis(Map<String, Long> stageMillis) {
                this.stageMillis = stageMillis;
                return this;
            }

            public Builder plan(Optional<String> plan) {
                this.plan = plan;
                return this;
            }

            public Builder gateTagging(Optional<GateTagging> gateTagging) {
                this.gateTagging = gateTagging;
                return this;
            }

            public Builder graph(Optional<GraphCheck.GraphNote> graph) {
                this.graph = graph;
                return this;
            }

            /** @throws NullPointerException naming the first required value missing */
            public FlowResult build() {
                Objects.requireNonNull(flow, "flow");
                Objects.requireNonNull(outcome, "outcome");
                Objects.requireNonNull(message, "message");
                return new FlowResult(flow, outcome, message, runPathspec, stateMachine, versionArn, comparison,
                        stageMillis, plan, gateTagging, graph);
            }
        }
    }
}

package dev.flowgate.deployer.domain;

import java.util.List;
import java.util.Map;
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
     * @param comparison present once the code was compared
     * @param plan       dry run: {@code create}, {@code update} or {@code unchanged}
     * @param gateTagging who first added the gate tag to the run deployed, and when
     */
    public record FlowResult(String flow, Outcome outcome, String message, String runPathspec, String stateMachine,
                             String versionArn, Optional<CodeComparison> comparison, Map<String, Long> stageMillis,
                             Optional<String> plan, Optional<GateTagging> gateTagging) {
        public FlowResult {
            stageMillis = Map.copyOf(stageMillis);
            gateTagging = gateTagging == null ? Optional.empty() : gateTagging;
        }

        public FlowResult(String flow, Outcome outcome, String message, String runPathspec, String stateMachine,
                          String versionArn, Optional<CodeComparison> comparison, Map<String, Long> stageMillis,
                          Optional<String> plan) {
            this(flow, outcome, message, runPathspec, stateMachine, versionArn, comparison, stageMillis, plan,
                    Optional.empty());
        }
    }
}

package dev.flowgate.deployer.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a commit status points ({@code target_url}): on AWS the Step Functions console page of the flow's state
 * machine, locally the deployment record the local platform serves. Empty when there is nothing to show yet.
 */
@FunctionalInterface
public interface StatusLinks {
    /**
     * @param flow         the flow (or the status context: {@code provenance}, {@code manifest})
     * @param stateMachine the state machine's name, empty while it is not known yet
     */
    Optional<String> link(String deploymentId, String flow, String stateMachine);

    static StatusLinks none() {
        return (deploymentId, flow, stateMachine) -> Optional.empty();
    }

    /** The local platform's deployment record: {@code <base>/local/deployments/<flow>/<deploymentId>}. */
    static StatusLinks localRecord(String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return (deploymentId, flow, stateMachine) -> Optional.of(base + "/local/deployments/" + encode(flow) + "/"
                + encode(deploymentId));
    }

    /** The Step Functions console page of the state machine (in {@code region} of {@code account}). */
    static StatusLinks stepFunctionsConsole(String region, String account) {
        return (deploymentId, flow, stateMachine) -> stateMachine == null || stateMachine.isEmpty() ? Optional.empty()
                : Optional.of("https://" + region + ".console.aws.amazon.com/states/home?region=" + region
                + "#/statemachines/view/" + encode("arn:aws:states:" + region + ":" + account + ":stateMachine:" + stateMachine));
    }

    /** The account id of an ARN ({@code arn:aws:iam::123456789012:role/x}), if it has one. */
    static Optional<String> accountOf(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":", 6);
        return parts.length >= 5 && parts[4].matches("\\d{12}") ? Optional.of(parts[4]) : Optional.empty();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

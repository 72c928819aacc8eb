package dev.flowgate.deployer.domain;

import java.util.Optional;

/** A failed deployment of one flow, for the alert channel named in flowgate.yaml (if any). */
public record DeploymentAlert(String deploymentId, String flow, String repository, String commitSha, String branch,
                              Outcome outcome, String message, Optional<String> channel) {
}

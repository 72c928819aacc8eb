package dev.flowgate.deployer.domain;

import java.util.Optional;

/**
 * A failed deployment of one flow, for the alert channel named in flowgate.yaml (if any). {@code project} is the
 * manifest's {@code @project} name, empty when the manifest itself could not be read.
 */
public record DeploymentAlert(String deploymentId, String flow, Optional<String> project, String repository,
                              String commitSha, String branch, Outcome outcome, String message, Optional<String> channel) {
}

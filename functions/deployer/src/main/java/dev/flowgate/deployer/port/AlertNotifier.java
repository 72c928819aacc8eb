package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.DeploymentAlert;

/** Tells people a deployment failed (Slack through the alerter's notifier in production). Never throws. */
public interface AlertNotifier {
    void notify(DeploymentAlert alert);
}

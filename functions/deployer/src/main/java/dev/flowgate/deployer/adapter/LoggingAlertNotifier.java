package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeploymentAlert;
import dev.flowgate.deployer.port.AlertNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The fallback when the alerter cannot be reached: each failed deployment becomes one ERROR log line (structured
 * fields in Powertools' JSON, so a metric filter or a person can still find it in CloudWatch Logs).
 */
public final class LoggingAlertNotifier implements AlertNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingAlertNotifier.class);

    @Override
    public void notify(DeploymentAlert alert) {
        LOG.error("{}", "deployment " + alert.deploymentId() + " of " + alert.flow() + " failed (" + alert.outcome().wireName()
                        + ") and the alerter could not be reached: " + alert.message(),
                entry("event", "deployment_failed"), entry("deployment_id", alert.deploymentId()),
                entry("flow", alert.flow()), entry("project", alert.project().orElse(null)),
                entry("repository", alert.repository()), entry("commit_sha", alert.commitSha()),
                entry("branch", alert.branch()), entry("outcome", alert.outcome().wireName()),
                entry("channel", alert.channel().orElse(null)));
    }
}

package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeploymentAlert;
import dev.flowgate.deployer.port.AlertNotifier;
import dev.flowgate.model.json.FlowgateJson;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes each failed deployment as one structured JSON line (CloudWatch Logs in AWS; a metric filter or the
 * alerter's notifier can pick it up). The Slack bridge to the alerter's notifier replaces this in wiring.
 */
public final class LoggingAlertNotifier implements AlertNotifier {
    private final PrintStream out;

    public LoggingAlertNotifier(PrintStream out) {
        this.out = out;
    }

    @Override
    public void notify(DeploymentAlert alert) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("level", "ERROR");
        line.put("event", "deployment_failed");
        line.put("deployment_id", alert.deploymentId());
        line.put("flow", alert.flow());
        line.put("project", alert.project().orElse(null));
        line.put("repository", alert.repository());
        line.put("commit_sha", alert.commitSha());
        line.put("branch", alert.branch());
        line.put("outcome", alert.outcome().wireName());
        line.put("message", alert.message());
        line.put("channel", alert.channel().orElse(null));
        out.println(FlowgateJson.write(line));
    }
}

package dev.flowgate.deployer.handler;

import dev.flowgate.aws.FlowgateMetrics;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.domain.DeployResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.List;
import java.util.stream.Collectors;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * What the deployer says about each deployment: one line — {@code deployed acme/ml@1a2b3c4d5e6f HelloFlow
 * (HelloFlow/12) [deployment 20261206T…]} — with the correlation keys (deployment id, delivery id, run pathspecs)
 * as fields in JSON, and one EMF document per flow (namespace {@value #NAMESPACE}): {@code Deployments} by
 * {@code outcome} (a refusal before any flow counts once, with its outcome).
 */
final class DeploymentLog {
    static final String NAMESPACE = "Flowgate/Deployer";
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentLog.class);
    private final FlowgateMetrics metrics;

    DeploymentLog(FlowgateMetrics metrics) {
        this.metrics = metrics;
    }

    void record(DeployResult result) {
        List<String> runs = result.flows().stream().map(DeployResult.FlowResult::runPathspec)
                .filter(r -> r != null && !r.isEmpty()).toList();
        Object[] fields = {line(result), entry("deployment_id", result.deploymentId()),
                entry("delivery_id", result.requestId()), entry("repository", result.repository()),
                entry("commit_sha", result.commitSha()), entry("outcome", result.outcome().wireName()),
                entry("run_pathspecs", runs)};
        if (result.outcome().isFailure()) {
            LOG.warn("{}", fields);
        } else {
            LOG.info("{}", fields);
        }
        if (result.flows().isEmpty()) {
            count(result.outcome().wireName());
        } else {
            result.flows().forEach(flow -> count(flow.outcome().wireName()));
        }
    }

    /** A request refused before any work (schema): one WARN line naming the fields, counted as {@code invalid_request}. */
    void invalid(DeployRequestJson.InvalidRequest error) {
        String fields = error.errors().stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; "));
        LOG.warn("{}", "invalid_request: " + fields, entry("outcome", "invalid_request"));
        count("invalid_request");
    }

    private void count(String outcome) {
        metrics.emit(m -> {
            m.addDimension(DimensionSet.of("outcome", outcome));
            m.addMetric("Deployments", 1, MetricUnit.COUNT);
        });
    }

    /** {@code <outcome> <repository>@<sha12> <flow (run)>…: <message if not deployed> [deployment <id>]}. */
    static String line(DeployResult result) {
        String sha = result.commitSha() == null ? "?" : result.commitSha().substring(0, Math.min(12, result.commitSha().length()));
        String flows = result.flows().stream().map(f -> f.flow() + (f.runPathspec() == null || f.runPathspec().isEmpty()
                ? "" : " (" + f.runPathspec() + ")")).collect(Collectors.joining(", "));
        String outcome = result.outcome().wireName();
        return outcome + " " + result.repository() + "@" + sha + (flows.isEmpty() ? "" : " " + flows)
                + (outcome.equals("deployed") ? "" : ": " + result.message())
                + " [deployment " + result.deploymentId() + "]";
    }
}

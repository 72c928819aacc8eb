package dev.flowgate.alerter.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a reader goes next: the AWS console pages and the Metaflow UI. {@code uiBaseUrl} is
 * FLOWGATE_METAFLOW_UI_URL (Metaflow's METAFLOW_UI_URL; run page = {@code <ui>/<flow>/<run id>});
 * {@code batchLogGroup} is where Batch writes job logs (default /aws/batch/job).
 */
public record ConsoleLinks(Optional<String> uiBaseUrl, String batchLogGroup) {

    public String execution(String region, String executionArn) {
        return console(region) + "/states/home?region=" + region + "#/v2/executions/details/" + executionArn;
    }

    public String stateMachine(String region, String stateMachineArn) {
        return console(region) + "/states/home?region=" + region + "#/statemachines/view/" + stateMachineArn;
    }

    public String batchJob(String region, String jobId) {
        return console(region) + "/batch/home?region=" + region + "#jobs/detail/" + jobId;
    }

    /** CloudWatch's logsV2 fragment encodes twice: '%' becomes '$25'. */
    public String logStream(String region, String stream) {
        return console(region) + "/cloudwatch/home?region=" + region + "#logsV2:log-groups/log-group/"
                + consoleEncode(batchLogGroup) + "/log-events/" + consoleEncode(stream);
    }

    public Optional<String> metaflowRun(String flow, String runId) {
        return uiBaseUrl.map(base -> base.replaceAll("/+$", "") + "/" + flow + "/" + runId);
    }

    private static String console(String region) {
        return "https://" + region + ".console.aws.amazon.com";
    }

    private static String consoleEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%", "$25");
    }
}

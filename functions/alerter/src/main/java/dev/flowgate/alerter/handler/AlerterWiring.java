package dev.flowgate.alerter.handler;

import dev.flowgate.alerter.adapter.DynamoDbAlertLedger;
import dev.flowgate.alerter.adapter.SfnExecutionHistory;
import dev.flowgate.alerter.adapter.SlackTarget;
import dev.flowgate.alerter.adapter.SlackWebhookSecret;
import dev.flowgate.alerter.adapter.SlackWebhookNotifier;
import dev.flowgate.alerter.domain.AlertRenderer;
import dev.flowgate.alerter.domain.AlerterService;
import dev.flowgate.alerter.domain.ChannelRouting;
import dev.flowgate.alerter.domain.ConsoleLinks;
import dev.flowgate.alerter.domain.StateMachineFilter;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.SecretValues;
import dev.flowgate.model.resources.FlowgateResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/** Builds the alerter from its settings (environment variables, listed in the module README). */
public final class AlerterWiring {
    public static final String FUNCTION_NAME = "flowgate-alerter";
    public static final String LOCAL_SLACK_PATH = "/local/slack";

    private static final Logger LOG = LoggerFactory.getLogger(AlerterService.class);

    private AlerterWiring() {
    }

    public static AlerterService service(Environment env) {
        AwsSettings aws = AwsSettings.from(env);
        FlowgateResources names = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
        Clock clock = Clock.systemUTC();
        SlackWebhookSecret secret = new SlackWebhookSecret(
                SecretValues.provider(aws, Duration.ofSeconds(env.getInt("FLOWGATE_SLACK_SECRET_MAX_AGE_SECONDS", 300))),
                names.secretName(FlowgateResources.SLACK_WEBHOOK),
                env.get("FLOWGATE_LOCAL_URL").map(u -> u.replaceAll("/+$", "") + LOCAL_SLACK_PATH));
        URI api = URI.create(env.get("FLOWGATE_SLACK_API_URL", "https://slack.com/api/chat.postMessage"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        SlackWebhookNotifier slack = new SlackWebhookNotifier(http, () -> SlackTarget.parse(secret.get(), api),
                env.getInt("FLOWGATE_SLACK_MAX_ATTEMPTS", 4),
                Duration.ofMillis(env.getInt("FLOWGATE_SLACK_BACKOFF_MILLIS", 500)),
                Duration.ofSeconds(env.getInt("FLOWGATE_SLACK_MAX_RETRY_AFTER_SECONDS", 20)),
                d -> Thread.sleep(d.toMillis()));
        DynamoDbAlertLedger ledger = new DynamoDbAlertLedger(aws.configure(DynamoDbClient.builder()),
                names.tableName(FlowgateResources.CONTROL),
                Duration.ofSeconds(env.getInt("FLOWGATE_ALERT_LEASE_SECONDS", 120)),
                Duration.ofDays(env.getInt("FLOWGATE_ALERT_RETENTION_DAYS", 7)));
        AlertRenderer renderer = new AlertRenderer(
                new ConsoleLinks(env.get("FLOWGATE_METAFLOW_UI_URL"), env.get("FLOWGATE_BATCH_LOG_GROUP", "/aws/batch/job")),
                ChannelRouting.parse(env.get("FLOWGATE_SLACK_CHANNELS", ""), env.get("FLOWGATE_SLACK_DEFAULT_CHANNEL")));
        return new AlerterService(new SfnExecutionHistory(aws.configure(SfnClient.builder()),
                env.getInt("FLOWGATE_HISTORY_MAX_PAGES", 5)), slack, ledger, renderer,
                new StateMachineFilter(env.get("FLOWGATE_STATE_MACHINE_PREFIX")),
                Duration.ofSeconds(env.getInt("FLOWGATE_BURST_WINDOW_SECONDS", 300)), clock,
                line -> LOG.info("{}", line));
    }
}

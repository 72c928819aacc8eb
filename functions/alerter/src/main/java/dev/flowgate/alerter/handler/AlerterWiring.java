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
import dev.flowgate.aws.FunctionContract;
import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.aws.FunctionContract.ResourceKind;
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
    /** What the alerter reads and calls; {@link #service} builds it only through this contract. */
    public static final FunctionContract CONTRACT = FunctionContract.builder("alerter")
            .required("FLOWGATE_RESOURCE_PREFIX", "resource name prefix (control table, Slack secret)")
            .required("FLOWGATE_STATE_MACHINE_PREFIX", "name prefix of the team's flow state machines (the alerter's IAM scope)")
            .optional("FLOWGATE_SLACK_DEFAULT_CHANNEL", "channel when no routing rule matches")
            .optional("FLOWGATE_SLACK_CHANNELS", "routing rules flow=channel")
            .optional("FLOWGATE_METAFLOW_UI_URL", "Metaflow UI base for links")
            .defaulted("FLOWGATE_BATCH_LOG_GROUP", "Batch job log group for links (default /aws/batch/job)")
            .defaulted("FLOWGATE_SLACK_API_URL", "Slack chat.postMessage (default https://slack.com/api/chat.postMessage)")
            .defaulted("FLOWGATE_SLACK_SECRET_MAX_AGE_SECONDS", "Slack secret cache age (default 300)")
            .defaulted("FLOWGATE_SLACK_MAX_ATTEMPTS", "Slack delivery attempts (default 4)")
            .defaulted("FLOWGATE_SLACK_BACKOFF_MILLIS", "first retry delay (default 500)")
            .defaulted("FLOWGATE_SLACK_MAX_RETRY_AFTER_SECONDS", "longest Retry-After honoured (default 20)")
            .defaulted("FLOWGATE_ALERT_LEASE_SECONDS", "alert lease (default 120)")
            .defaulted("FLOWGATE_ALERT_RETENTION_DAYS", "alert ledger retention (default 7)")
            .defaulted("FLOWGATE_HISTORY_MAX_PAGES", "execution history pages read (default 5)")
            .defaulted("FLOWGATE_BURST_WINDOW_SECONDS", "burst summary window (default 300)")
            .local("FLOWGATE_LOCAL_URL", "the local runtime (its Slack stand-in)")
            .allows(Resource.of(ResourceKind.SECRET, FlowgateResources.SLACK_WEBHOOK.logicalName()), "secretsmanager:GetSecretValue")
            .allows(Resource.of(ResourceKind.TABLE, FlowgateResources.CONTROL.logicalName()), "dynamodb:GetItem",
                    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query")
            .allows(Resource.of(ResourceKind.FLOW_EXECUTIONS), "states:DescribeExecution", "states:GetExecutionHistory")
            .allows(Resource.of(ResourceKind.FLOW_STATE_MACHINES), "states:ListTagsForResource")
            .build();

    private AlerterWiring() {
    }

    public static AlerterService service(Environment system) {
        Environment env = CONTRACT.environment(system);
        AwsSettings aws = CONTRACT.aws(env);
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

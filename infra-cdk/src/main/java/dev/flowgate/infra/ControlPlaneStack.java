package dev.flowgate.infra;

import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.ApiKey;
import software.amazon.awscdk.services.apigateway.LambdaRestApi;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.apigateway.ThrottleSettings;
import software.amazon.awscdk.services.apigateway.UsagePlan;
import software.amazon.awscdk.services.apigateway.UsagePlanPerApiStage;
import software.amazon.awscdk.services.apigateway.UsagePlanProps;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.iam.CompositePrincipal;
import software.amazon.awscdk.services.scheduler.CfnScheduleGroup;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Permission;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flowgate's own functions and everything they need: the metadata API (Lambda with SnapStart on an alias,
 * REST API with API key, usage plan, throttling and access logs), the GitHub webhook and the deployer (async
 * invoke with a dead-letter queue, a resource policy for the Jenkins role), the roles flows run with on Step
 * Functions and EventBridge, the secrets (created empty: operators fill them), and alerting (the EventBridge rule
 * on failed executions → alerter with retries and a dead-letter queue, alarms on the queues and on errors).
 */
public final class ControlPlaneStack extends Stack {
    public static final String METADATA_HANDLER = "dev.flowgate.metadata.handler.MetadataApiHandler::handleRequest";
    public static final String WEBHOOK_HANDLER = "dev.flowgate.deployer.handler.GitHubWebhookHandler::handleRequest";
    public static final String DEPLOYER_HANDLER = "dev.flowgate.deployer.handler.DeployerHandler::handleRequest";
    public static final String ALERTER_HANDLER = "dev.flowgate.alerter.handler.AlerterHandler::handleRequest";

    public ControlPlaneStack(Construct scope, String id, StackProps props, TeamSettings settings, Path repositoryRoot,
                             IBucket datastore, ITable metadataTable, ITable controlTable, ITable foreachTable, Role jobRole,
                             String jobQueueArn) {
        super(scope, id, props);
        String prefix = settings.resourcePrefix();
        FlowgateResources names = new FlowgateResources(prefix);
        Map<String, String> common = Map.of("FLOWGATE_RESOURCE_PREFIX", prefix,
                "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");

        // --- metadata API
        Map<String, String> metadataEnv = new HashMap<>(common);
        metadataEnv.putAll(settings.metadataCallers().environment());
        Function metadataFn = function("MetadataApi", prefix + "-metadata-api", METADATA_HANDLER,
                asset(repositoryRoot, settings.metadataApiAsset(), "lambdaAssets.metadataApi"), 1024, Duration.seconds(29), metadataEnv);
        metadataFn.addToRolePolicy(allow(metadataTable.getTableArn(), "dynamodb:GetItem", "dynamodb:PutItem",
                "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"));
        metadataFn.addToRolePolicy(allow(metadataTable.getTableArn() + "/index/*", "dynamodb:Query"));
        Alias metadataLive = live("MetadataApiLive", metadataFn);
        LogGroup apiLogs = LogGroup.Builder.create(this, "MetadataApiAccessLogs").retention(RetentionDays.ONE_YEAR).build();
        LambdaRestApi metadataApi = LambdaRestApi.Builder.create(this, "MetadataRestApi").restApiName(prefix + "-metadata")
                .handler(metadataLive).proxy(true)
                .defaultMethodOptions(MethodOptions.builder().apiKeyRequired(true).build())
                .deployOptions(StageOptions.builder().stageName("v1")
                        .throttlingRateLimit(settings.apiRate()).throttlingBurstLimit(settings.apiBurst())
                        .accessLogDestination(new LogGroupLogDestination(apiLogs))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields())
                        .loggingLevel(MethodLoggingLevel.ERROR).tracingEnabled(true).build())
                .cloudWatchRole(true).build();
        ApiKey key = ApiKey.Builder.create(this, "MetaflowClientKey").apiKeyName(prefix + "-metaflow-client")
                .description("METAFLOW_SERVICE_AUTH_KEY for the team's Metaflow clients").build();
        UsagePlan plan = metadataApi.addUsagePlan("MetaflowClients", UsagePlanProps.builder().name(prefix + "-metaflow-clients")
                .throttle(ThrottleSettings.builder().rateLimit(settings.apiRate()).burstLimit(settings.apiBurst()).build()).build());
        plan.addApiKey(key);
        // production jobs (Step Functions → Batch) send production:<token> system tags; only this key's fingerprint,
        // listed in metadataApi.productionCallers, may (the metadata API refuses them from every other caller)
        // its value is a generated secret: Batch puts it into the jobs' METAFLOW_SERVICE_AUTH_KEY from the job
        // definition's secrets (valueFrom, read with the execution role below); no template or definition holds it
        Secret productionKeySecret = Secret.Builder.create(this, "ProductionJobsApiKey").secretName(prefix + "/production-jobs-api-key")
                .description("x-api-key of production jobs (the value of the " + prefix + "-production-jobs API key);"
                        + " Batch reads it into METAFLOW_SERVICE_AUTH_KEY")
                .generateSecretString(SecretStringGenerator.builder().excludePunctuation(true).passwordLength(40).build()).build();
        ApiKey productionKey = ApiKey.Builder.create(this, "ProductionJobsKey").apiKeyName(prefix + "-production-jobs")
                .description("x-api-key of production jobs; value in the secret " + prefix + "/production-jobs-api-key; list its"
                        + " fingerprint key-sha256:<16 hex> in metadataApi.productionCallers")
                .value(productionKeySecret.getSecretValue().unsafeUnwrap()).build();
        plan.addApiKey(productionKey);
        plan.addApiStage(UsagePlanPerApiStage.builder().api(metadataApi).stage(metadataApi.getDeploymentStage()).build());
        // the deployer's own key (a generated secret; the template holds only a dynamic reference to it): every
        // metadata API method requires a key, and the deployer tags runs and reads artifacts through the API
        Secret deployerKeySecret = Secret.Builder.create(this, "DeployerApiKey").secretName(prefix + "/deployer-api-key")
                .description("x-api-key the deployer sends to the metadata API (the value of the " + prefix
                        + "-deployer API key)")
                .generateSecretString(SecretStringGenerator.builder().excludePunctuation(true).passwordLength(40).build()).build();
        ApiKey deployerKey = ApiKey.Builder.create(this, "DeployerKey").apiKeyName(prefix + "-deployer")
                .description("the deployer's metadata API key; value in the secret " + prefix + "/deployer-api-key")
                .value(deployerKeySecret.getSecretValue().unsafeUnwrap()).build();
        plan.addApiKey(deployerKey);

        // --- roles flows run with
        String arnPrefix = "arn:" + getPartition() + ":";
        String batch = arnPrefix + "batch:" + getRegion() + ":" + getAccount() + ":";
        String states = arnPrefix + "states:" + getRegion() + ":" + getAccount() + ":";
        // flows' state machines are named <prefix>_<flow or project> (the deployer sets Metaflow's prefix)
        String machinePrefix = prefix + "_";
        String machines = states + "stateMachine:" + machinePrefix + "*";
        String executions = states + "execution:" + machinePrefix + "*";
        Role sfnRole = Role.Builder.create(this, "StepFunctionsRole").assumedBy(new ServicePrincipal("states.amazonaws.com"))
                .description("METAFLOW_SFN_IAM_ROLE: runs flows' state machines").build();
        // SubmitJob needs both the queue and the job definition: the team's queues, Flowgate's registered definitions
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("batch:SubmitJob"))
                .resources(List.of(batch + "job-queue/" + prefix + "-*", batch + "job-definition/" + JOB_DEFINITION_PREFIX + "*")).build());
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("batch:TerminateJob"))
                .resources(List.of(batch + "job/*")).build());
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("batch:DescribeJobs"))
                .resources(List.of("*")).build());
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("events:PutTargets", "events:PutRule", "events:DescribeRule"))
                .resources(List.of("arn:" + getPartition() + ":events:" + getRegion() + ":" + getAccount()
                        + ":rule/StepFunctionsGetEventsForBatchJobsRule")).build());
        // foreach cardinality and switch choices are read; @trigger_on_finish with several upstreams counts them in
        // one item per state machine (atomic ADD, conditional delete)
        foreachTable.grant(sfnRole, "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem");
        // a foreach compiled as a Distributed Map (use_distributed_map) runs each split as a child execution of the
        // flow's own state machine: the map run starts, describes and stops them (child executions are named
        // <state machine>/<map label>:<id>, hence execution:<prefix>_*/*). Flowgate's Distributed Map writes nothing to S3.
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("states:StartExecution"))
                .resources(List.of(machines)).build());
        sfnRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("states:DescribeExecution", "states:StopExecution"))
                .resources(List.of(executions + "/*")).build());
        // the ECS task execution role Batch reads the production jobs' key with (job definitions' executionRoleArn):
        // that one secret and nothing else (images are public and EC2 hosts ship logs with their instance role)
        Role jobsExecutionRole = Role.Builder.create(this, "JobsExecutionRole").assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("METAFLOW_BATCH_EXECUTION_ROLE: Batch reads the production jobs' metadata API key secret with it").build();
        jobsExecutionRole.addToPolicy(allow(productionKeySecret.getSecretArn(), "secretsmanager:GetSecretValue"));
        // EventBridge Scheduler (@schedule) and EventBridge rules (@trigger_on_finish) start executions with it
        Role eventsRole = Role.Builder.create(this, "EventBridgeRole").assumedBy(new CompositePrincipal(
                        new ServicePrincipal("scheduler.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")))
                .description("METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: starts scheduled and triggered flows").build();
        eventsRole.addToPolicy(PolicyStatement.Builder.create().actions(List.of("states:StartExecution")).resources(List.of(machines)).build());
        // one schedule per @schedule flow lives in this group; deleting the stack deletes them with it
        CfnScheduleGroup scheduleGroup = CfnScheduleGroup.Builder.create(this, "FlowSchedules").name(names.scheduleGroupName()).build();

        // --- secrets (values set by operators; never in git)
        Secret webhookSecret = Secret.Builder.create(this, "GitHubWebhookSecret").secretName(names.secretName(FlowgateResources.GITHUB_WEBHOOK_SECRET))
                .description(FlowgateResources.GITHUB_WEBHOOK_SECRET.description()).build();
        Secret githubToken = Secret.Builder.create(this, "GitHubToken").secretName(names.secretName(FlowgateResources.GITHUB_TOKEN))
                .description(FlowgateResources.GITHUB_TOKEN.description()).build();
        Secret slack = Secret.Builder.create(this, "SlackWebhook").secretName(names.secretName(FlowgateResources.SLACK_WEBHOOK))
                .description(FlowgateResources.SLACK_WEBHOOK.description()).build();
        Secret metaflowConfig = Secret.Builder.create(this, "MetaflowConfig").secretName(prefix + "/metaflow-config")
                .description("The Metaflow config JSON compiled flows run with").build();

        // --- deployment
        Queue deployDlq = deadLetterQueue("DeployerDlq", prefix + "-deployer-dlq");
        Map<String, String> deployerEnv = new LinkedHashMap<>(common);
        deployerEnv.put("FLOWGATE_REPOSITORIES", String.join(",", settings.repositories()));
        deployerEnv.put("FLOWGATE_SFN_ROLE_ARN", sfnRole.getRoleArn());
        deployerEnv.put("FLOWGATE_EVENTS_ROLE_ARN", eventsRole.getRoleArn());
        deployerEnv.put("FLOWGATE_METAFLOW_CONFIG_SECRET", metaflowConfig.getSecretName());
        deployerEnv.put("METAFLOW_SERVICE_URL", metadataApi.getUrl());
        deployerEnv.put("METAFLOW_DATASTORE_SYSROOT_S3", "s3://" + datastore.getBucketName() + "/metaflow");
        deployerEnv.put("FLOWGATE_METADATA_API_KEY_SECRET", deployerKeySecret.getSecretArn());
        deployerEnv.put("METAFLOW_SFN_STATE_MACHINE_PREFIX", prefix);
        // compiled job definitions name the jobs' key secret and the role that reads it, never the key itself
        deployerEnv.put("FLOWGATE_JOBS_AUTH_KEY_SECRET_ARN", productionKeySecret.getSecretArn());
        deployerEnv.put("FLOWGATE_JOBS_EXECUTION_ROLE_ARN", jobsExecutionRole.getRoleArn());
        Code deployerCode = asset(repositoryRoot, settings.deployerAsset(), "lambdaAssets.deployer");
        Function deployerFn = function("Deployer", prefix + "-deployer", DEPLOYER_HANDLER, deployerCode, 2048, Duration.minutes(15), deployerEnv);
        // SnapStart restores only published versions: every caller invokes the alias, never $LATEST
        Alias deployerLive = live("DeployerLive", deployerFn);
        deployerLive.configureAsyncInvoke(EventInvokeConfigOptions.builder().retryAttempts(1).maxEventAge(Duration.hours(1))
                .onFailure(new SqsDestination(deployDlq)).build());
        Map<String, String> webhookEnv = new LinkedHashMap<>(common);
        webhookEnv.put("FLOWGATE_REPOSITORIES", deployerEnv.get("FLOWGATE_REPOSITORIES"));
        webhookEnv.put("FLOWGATE_DEPLOYER_FUNCTION", deployerLive.getFunctionArn());
        Function webhookFn = function("GitHubWebhook", prefix + "-github-webhook", WEBHOOK_HANDLER, deployerCode, 1024,
                Duration.seconds(10), webhookEnv);
        // exactly the calls the functions' contracts declare (FunctionContractTest holds the two together)
        webhookFn.addToRolePolicy(allow(webhookSecret.getSecretArn(), "secretsmanager:GetSecretValue"));
        webhookFn.addToRolePolicy(allow(controlTable.getTableArn(), CONTROL_LEDGER));
        webhookFn.addToRolePolicy(allow(deployerLive.getFunctionArn(), "lambda:InvokeFunction"));
        Alias webhookLive = live("GitHubWebhookLive", webhookFn);
        for (Secret secret : List.of(githubToken, metaflowConfig, deployerKeySecret)) {
            deployerFn.addToRolePolicy(allow(secret.getSecretArn(), "secretsmanager:GetSecretValue"));
        }
        deployerFn.addToRolePolicy(allow(controlTable.getTableArn(), CONTROL_LEDGER));
        deployerFn.addToRolePolicy(allow(datastore.arnForObjects("*"), "s3:GetObject", "s3:PutObject"));
        deployerFn.addToRolePolicy(allow(datastore.getBucketArn(), "s3:ListBucket"));
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("states:CreateStateMachine",
                "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine",
                "states:TagResource", "states:ListTagsForResource", "states:PublishStateMachineVersion"))
                .resources(List.of(machines)).build());
        String scheduler = "arn:" + getPartition() + ":scheduler:" + getRegion() + ":" + getAccount();
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("scheduler:GetSchedule",
                "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"))
                .resources(List.of(scheduler + ":schedule/" + names.scheduleGroupName() + "/*")).build());
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("scheduler:GetScheduleGroup",
                "scheduler:CreateScheduleGroup")).resources(List.of(scheduleGroup.getAttrArn())).build());
        String rules = "arn:" + getPartition() + ":events:" + getRegion() + ":" + getAccount() + ":rule/";
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("events:PutRule", "events:PutTargets",
                "events:DeleteRule", "events:RemoveTargets", "events:DescribeRule", "events:ListTargetsByRule"))
                .resources(List.of(rules + names.finishRulePrefix() + "*")).build());
        // schedules made before EventBridge Scheduler: a rule named after the state machine; removed, never created
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("events:DescribeRule",
                "events:ListTargetsByRule", "events:RemoveTargets", "events:DeleteRule")).resources(List.of(rules + machinePrefix + "*")).build());
        deployerFn.addToRolePolicy(allow(batch + "job-definition/" + JOB_DEFINITION_PREFIX + "*", "batch:RegisterJobDefinition"));
        // no resource-level permissions exist for these two (AWS service authorization reference): "*" is forced
        deployerFn.addToRolePolicy(allow("*", "batch:DescribeJobDefinitions", "states:ListStateMachines"));
        deployerFn.addToRolePolicy(PolicyStatement.Builder.create().actions(List.of("iam:PassRole"))
                .resources(List.of(sfnRole.getRoleArn(), eventsRole.getRoleArn(), jobRole.getRoleArn(),
                        jobsExecutionRole.getRoleArn())).build());
        deployerLive.addPermission("JenkinsInvoke", Permission.builder()
                .principal(new ArnPrincipal("arn:" + getPartition() + ":iam::" + getAccount() + ":role/" + settings.jenkinsRoleName()))
                .action("lambda:InvokeFunction").build());
        LambdaRestApi webhookApi = LambdaRestApi.Builder.create(this, "WebhookRestApi").restApiName(prefix + "-webhooks")
                .handler(webhookLive).proxy(false)
                .deployOptions(StageOptions.builder().stageName("v1").throttlingRateLimit(20).throttlingBurstLimit(40)
                        .accessLogDestination(new LogGroupLogDestination(LogGroup.Builder.create(this, "WebhookAccessLogs")
                                .retention(RetentionDays.ONE_YEAR).build()))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields()).loggingLevel(MethodLoggingLevel.ERROR)
                        .tracingEnabled(true).build())
                .cloudWatchRole(true).build();
        webhookApi.getRoot().addResource("webhooks").addResource("github").addMethod("POST");

        // --- alerting
        Queue alertDlq = deadLetterQueue("AlerterDlq", prefix + "-alerter-dlq");
        Map<String, String> alerterEnv = new LinkedHashMap<>(common);
        alerterEnv.put("FLOWGATE_SLACK_DEFAULT_CHANNEL", settings.defaultSlackChannel());
        alerterEnv.put("FLOWGATE_STATE_MACHINE_PREFIX", machinePrefix);
        Function alerterFn = function("Alerter", prefix + "-alerter", ALERTER_HANDLER,
                asset(repositoryRoot, settings.alerterAsset(), "lambdaAssets.alerter"), 1024, Duration.seconds(90), alerterEnv);
        Alias alerterLive = live("AlerterLive", alerterFn);
        alerterFn.addToRolePolicy(allow(slack.getSecretArn(), "secretsmanager:GetSecretValue"));
        alerterFn.addToRolePolicy(allow(controlTable.getTableArn(), "dynamodb:GetItem", "dynamodb:PutItem",
                "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"));
        alerterFn.addToRolePolicy(allow(executions + ":*", "states:GetExecutionHistory", "states:DescribeExecution"));
        alerterFn.addToRolePolicy(allow(machines, "states:ListTagsForResource"));
        deployerFn.addToRolePolicy(allow(alerterLive.getFunctionArn(), "lambda:InvokeFunction"));
        deployerFn.addEnvironment("FLOWGATE_ALERTER_FUNCTION", alerterLive.getFunctionArn());
        Rule.Builder.create(this, "FailedExecutions").ruleName(prefix + "-failed-executions")
                .description("Failed, timed-out and aborted flow executions to the alerter")
                .eventPattern(EventPattern.builder().source(List.of("aws.states"))
                        .detailType(List.of("Step Functions Execution Status Change"))
                        .detail(Map.of("status", List.of("FAILED", "TIMED_OUT", "ABORTED"))).build())
                .targets(List.of(software.amazon.awscdk.services.events.targets.LambdaFunction.Builder.create(alerterLive)
                        .deadLetterQueue(alertDlq).retryAttempts(8).maxEventAge(Duration.hours(6)).build()))
                .build();
        Rule.Builder.create(this, "FlushAlertBursts").ruleName(prefix + "-flush-alert-bursts")
                .schedule(Schedule.rate(Duration.minutes(1)))
                .targets(List.of(software.amazon.awscdk.services.events.targets.LambdaFunction.Builder.create(alerterLive)
                        .event(RuleTargetInput.fromObject(Map.of("source", "flowgate.alerter", "detail-type", "Flush Alert Bursts", "detail", Map.of())))
                        .deadLetterQueue(alertDlq).retryAttempts(2).build()))
                .build();
        for (Queue dlq : List.of(deployDlq, alertDlq)) {
            Alarm.Builder.create(this, dlq.getNode().getId() + "Depth").metric(dlq.metricApproximateNumberOfMessagesVisible())
                    .threshold(0).comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD).evaluationPeriods(1)
                    .treatMissingData(TreatMissingData.NOT_BREACHING)
                    .alarmDescription("Messages in " + dlq.getNode().getId() + ": a deployment or an alert failed every retry; redrive after fixing").build();
        }
        for (IFunction fn : List.of(metadataFn, deployerFn, webhookFn, alerterFn)) {
            Alarm.Builder.create(this, ((Function) fn).getNode().getId() + "Errors").metric(fn.metricErrors())
                    .threshold(0).comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD).evaluationPeriods(1)
                    .treatMissingData(TreatMissingData.NOT_BREACHING).build();
        }

        // --- what a data scientist's Metaflow config needs
        CfnOutput.Builder.create(this, "ServiceUrl").key("METAFLOWSERVICEURL").description("METAFLOW_SERVICE_URL").value(metadataApi.getUrl()).build();
        CfnOutput.Builder.create(this, "ProductionJobsApiKeyId").key("FLOWGATEPRODUCTIONJOBSKEYID")
                .description("API key id of production jobs; its fingerprint goes into metadataApi.productionCallers")
                .value(productionKey.getKeyId()).build();
        CfnOutput.Builder.create(this, "JobsExecutionRoleOut").key("METAFLOWBATCHEXECUTIONROLE")
                .description("METAFLOW_BATCH_EXECUTION_ROLE (the deployer sets it; reads the production jobs' key secret)")
                .value(jobsExecutionRole.getRoleArn()).build();
        CfnOutput.Builder.create(this, "ServiceApiKeyId").key("METAFLOWSERVICEAUTHKEYID")
                .description("API key id; its value is METAFLOW_SERVICE_AUTH_KEY (fetch it, never print it in logs)").value(key.getKeyId()).build();
        CfnOutput.Builder.create(this, "SfnRole").key("METAFLOWSFNIAMROLE").description("METAFLOW_SFN_IAM_ROLE").value(sfnRole.getRoleArn()).build();
        CfnOutput.Builder.create(this, "EventsRole").key("METAFLOWEVENTSSFNACCESSIAMROLE").description("METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE")
                .value(eventsRole.getRoleArn()).build();
        CfnOutput.Builder.create(this, "WebhookUrl").key("FLOWGATEGITHUBWEBHOOKURL").description("GitHub webhook payload URL")
                .value(webhookApi.urlForPath("/webhooks/github")).build();
        CfnOutput.Builder.create(this, "DeployerFunction").key("FLOWGATEDEPLOYERFUNCTION")
                .description("Function (its live alias: SnapStart) Jenkins invokes").value(deployerLive.getFunctionArn()).build();
        CfnOutput.Builder.create(this, "BatchQueue").key("FLOWGATEDEFAULTQUEUE").description("default queue").value(jobQueueArn).build();
    }

    /** The control table calls of the deployment ledger (webhook and deployer). */
    private static final String[] CONTROL_LEDGER = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"};
    /** The job definition names Flowgate's compiler registers ({@code flowgate_<hash>}). */
    static final String JOB_DEFINITION_PREFIX = "flowgate_";

    private static PolicyStatement allow(String resource, String... actions) {
        return PolicyStatement.Builder.create().actions(List.of(actions)).resources(List.of(resource)).build();
    }

    private Function function(String id, String name, String handler, Code code, int memory, Duration timeout, Map<String, String> env) {
        Map<String, String> environment = new LinkedHashMap<>(env);
        // Powertools Logging's "service" field and Metrics' default dimension
        environment.put("POWERTOOLS_SERVICE_NAME", name);
        return Function.Builder.create(this, id).functionName(name).runtime(Runtime.JAVA_21).architecture(Architecture.ARM_64)
                .handler(handler).code(code).memorySize(memory).timeout(timeout).environment(environment)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS).tracing(Tracing.ACTIVE)
                .logGroup(LogGroup.Builder.create(this, id + "Logs").retention(RetentionDays.THREE_MONTHS).build())
                .build();
    }

    /**
     * The {@code live} alias on the function's current version: SnapStart snapshots published versions only, so the
     * alias is what every trigger invokes (a new version is published whenever the code or configuration changes).
     */
    private Alias live(String id, Function function) {
        return Alias.Builder.create(this, id).aliasName("live").version(function.getCurrentVersion()).build();
    }

    private Queue deadLetterQueue(String id, String name) {
        return Queue.Builder.create(this, id).queueName(name).encryption(QueueEncryption.SQS_MANAGED).enforceSsl(true)
                .retentionPeriod(Duration.days(14)).build();
    }

    /** The shaded jar of a function; a clear synth error when it has not been built. */
    private static Code asset(Path root, String relative, String key) {
        Path path = root.resolve(relative).normalize();
        if (!Files.exists(path)) {
            throw new TeamSettings.InvalidSettings(key, key + ": " + path + " does not exist; build the functions first"
                    + " (mvn -q -DskipTests package) or point " + key + " at the asset");
        }
        return Code.fromAsset(path.toString());
    }
}

package dev.flowgate.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import software.amazon.awscdk.Stack;

import java.util.ArrayList;
import java.util.List;

/**
 * Every cdk-nag AwsSolutions suppression of the app, each on named resources (never a whole stack) and with its
 * written reason. A path that no longer exists fails synthesis, so suppressions cannot silently outlive their
 * resource. Wildcard (IAM5) suppressions name the exact wildcard they accept.
 */
final class NagRules {
    private static final List<String> REASONS = new ArrayList<>();

    static final String LAMBDA_LOGS = "AWSLambdaBasicExecutionRole only grants CreateLogGroup/CreateLogStream/PutLogEvents for the "
            + "function's own log group; writing logs is required and a hand-written copy would add nothing";
    static final String XRAY = "Active tracing: xray:PutTraceSegments/PutTelemetryRecords do not support resource-level permissions";
    static final String DATASTORE_OBJECTS = "Metaflow reads and writes artifacts under arbitrary keys of the datastore bucket "
            + "(content-addressed objects); the grant is scoped to that one bucket";
    static final String DATASTORE_ACTIONS = "grantReadWrite's object-level action groups (GetObject*, List*, DeleteObject*, Abort*) "
            + "scoped to the one datastore bucket; Metaflow needs multipart upload, listing and cleanup of its own artifacts";
    static final String BATCH_HOST = "AmazonEC2ContainerServiceforEC2Role is the AWS-maintained instance role the ECS agent on a "
            + "Batch host needs (register container instance, pull from ECR, send logs); it grants no data access";
    static final String APIGW_LOGS = "AmazonAPIGatewayPushToCloudWatchLogs is the role API Gateway needs to write the access and "
            + "execution logs the security review requires";

    private NagRules() {
    }

    /** Adds the suppressions of the four stacks. */
    static void apply(FlowgateApp.Stacks stacks) {
        network(stacks.network());
        compute(stacks.compute());
        controlPlane(stacks.controlPlane());
    }

    /** The reasons given, for the test that every suppression has one. */
    static List<String> reasons() {
        return List.copyOf(REASONS);
    }

    private static void network(Stack stack) {
        for (String endpoint : List.of("Ecr", "EcrDocker", "Ecs", "EcsAgent", "EcsTelemetry", "ExecuteApi", "Logs",
                "SecretsManager", "Sts")) {
            String reason = "Interface endpoint security group: ingress is tcp/443 from the VPC's own CIDR only "
                    + "(a token, which cdk-nag cannot evaluate), never 0.0.0.0/0";
            suppress(stack, "/Vpc/" + endpoint + "/SecurityGroup/Resource",
                    rule("AwsSolutions-EC23", reason), rule("CdkNagValidationFailure", reason));
        }
    }

    private static void compute(Stack stack) {
        for (String host : List.of("/EfaInstanceRole/Resource", "/OnDemand/InstanceProfileRole/Resource",
                "/Spot/InstanceProfileRole/Resource")) {
            suppress(stack, host, rule("AwsSolutions-IAM4", BATCH_HOST, "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"));
        }
        suppress(stack, "/JobRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", DATASTORE_ACTIONS, "Action::s3:Abort*", "Action::s3:DeleteObject*",
                        "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*"),
                rule("AwsSolutions-IAM5", DATASTORE_OBJECTS, regex("^Resource::.*Datastore.*/\\*$")));
        suppress(stack, "/DefaultContainer/ExecutionRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", "Batch container logs go to log streams created per job inside the fixed "
                        + "/aws/batch/job log group; stream names are not known in advance", regex("^Resource::.*:log-group:/aws/batch/job:\\*$")));
    }

    private static void controlPlane(Stack stack) {
        for (String fn : List.of("MetadataApi", "GitHubWebhook", "Deployer", "Alerter")) {
            suppress(stack, "/" + fn + "/ServiceRole/Resource", rule("AwsSolutions-IAM4", LAMBDA_LOGS,
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
            suppress(stack, "/" + fn + "/Resource", rule("AwsSolutions-L1", "Pinned to java21 (LTS), the runtime these "
                    + "Java 17-bytecode functions and their SnapStart alias are built and tested for; java25 exists, but "
                    + "a runtime change alters SnapStart snapshots and cold starts, so it is a deliberate, tested upgrade"));
        }
        for (String api : List.of("MetadataRestApi", "WebhookRestApi")) {
            suppress(stack, "/" + api + "/CloudWatchRole/Resource", rule("AwsSolutions-IAM4", APIGW_LOGS,
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"));
            suppress(stack, "/" + api + "/Resource", rule("AwsSolutions-APIG2", "Proxy integration: the Lambda validates "
                    + "every request and answers 4xx naming the bad field; a second schema in API Gateway would drift"));
            suppress(stack, "/" + api + "/DeploymentStage.v1/Resource", rule("AwsSolutions-APIG3", "No WAF by default: the "
                    + "metadata API requires an API key with a throttled usage plan, the webhook verifies GitHub's HMAC "
                    + "signature; a team can attach its account's WAF web ACL"));
        }
        String metadataAuth = "The Metaflow client authenticates with the x-api-key header only (METAFLOW_SERVICE_AUTH_KEY); "
                + "the method requires the API key of a throttled usage plan";
        for (String method : List.of("/MetadataRestApi/Default/ANY/Resource", "/MetadataRestApi/Default/{proxy+}/ANY/Resource")) {
            suppress(stack, method, rule("AwsSolutions-APIG4", metadataAuth), rule("AwsSolutions-COG4", metadataAuth));
        }
        String webhookAuth = "GitHub webhooks cannot carry AWS or Cognito credentials; the function verifies the "
                + "X-Hub-Signature-256 HMAC with the webhook secret before doing anything";
        suppress(stack, "/WebhookRestApi/Default/webhooks/github/POST/Resource",
                rule("AwsSolutions-APIG4", webhookAuth), rule("AwsSolutions-COG4", webhookAuth));
        for (String secret : List.of("GitHubToken", "GitHubWebhookSecret", "MetaflowConfig", "SlackWebhook", "DeployerApiKey",
                "ProductionJobsApiKey")) {
            suppress(stack, "/" + secret + "/Resource", rule("AwsSolutions-SMG4", "Third-party credentials (GitHub, Slack), "
                    + "settings, or an API Gateway key value, which AWS cannot rotate; operators rotate them at the issuer and "
                    + "update the secret"));
        }
        for (String dlq : List.of("AlerterDlq", "DeployerDlq")) {
            suppress(stack, "/" + dlq + "/Resource", rule("AwsSolutions-SQS3", "This queue is itself a dead-letter queue "
                    + "(with an alarm on its depth); a DLQ of a DLQ would only hide failures"));
        }
        suppress(stack, "/MetadataApi/ServiceRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", XRAY, "Resource::*"),
                rule("AwsSolutions-IAM5", "Queries by the table's own gsi1 index (index ARNs end in /index/<name>)",
                        regex("^Resource::.*(Tablemetadata|TableMetadata).*/index/\\*$")));
        suppress(stack, "/GitHubWebhook/ServiceRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", XRAY, "Resource::*"),
                rule("AwsSolutions-IAM5", "Invoke any published version/alias of the deployer function only", regex("^Resource::<Deployer.*\\.Arn>:\\*$")));
        String machines = "The team's flow state machines, named <prefix>_<flow or project> by the deployer at deploy time";
        suppress(stack, "/Alerter/ServiceRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", XRAY, "Resource::*"),
                rule("AwsSolutions-IAM5", machines + ", and their executions: the alerter reads failed ones",
                        regex("^Resource::arn:<AWS::Partition>:states:.*:(execution:[a-z0-9-]+_\\*:\\*|stateMachine:[a-z0-9-]+_\\*)$")));
        suppress(stack, "/Deployer/ServiceRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", "X-Ray tracing, batch:DescribeJobDefinitions and states:ListStateMachines, which "
                        + "have no resource-level permissions (AWS service authorization reference)", "Resource::*"),
                rule("AwsSolutions-IAM5", DATASTORE_OBJECTS + " (the deployer uploads code packages)", regex("^Resource::.*Datastore.*/\\*$")),
                rule("AwsSolutions-IAM5", machines + "; the schedule rules earlier deployments named after them; and the "
                        + "job definitions Flowgate's compiler registers (flowgate_<hash of the definition>)",
                        regex("^Resource::arn:<AWS::Partition>:(states:.*:stateMachine:[a-z0-9-]+_\\*|events:.*:rule/[a-z0-9-]+_\\*"
                                + "|batch:.*:job-definition/flowgate_\\*)$")),
                rule("AwsSolutions-IAM5", "One EventBridge Scheduler schedule per @schedule flow, only in Flowgate's own "
                        + "schedule group, and one rule per @trigger_on_finish flow, only under Flowgate's rule name prefix",
                        regex("^Resource::arn:<AWS::Partition>:(scheduler:.*:schedule/[a-z0-9-]+-flow-schedules/\\*"
                                + "|events:.*:rule/[a-z0-9-]+-finish-\\*)$")));
        suppress(stack, "/EventBridgeRole/DefaultPolicy/Resource", rule("AwsSolutions-IAM5", "Schedules and finish "
                + "triggers start " + machines, regex("^Resource::arn:<AWS::Partition>:states:.*:stateMachine:[a-z0-9-]+_\\*$")));
        suppress(stack, "/StepFunctionsRole/DefaultPolicy/Resource",
                rule("AwsSolutions-IAM5", "batch:DescribeJobs has no resource-level permissions (the .sync integration "
                        + "polls it)", "Resource::*"),
                rule("AwsSolutions-IAM5", "SubmitJob to the team's job queues (<prefix>-*) with the job definitions "
                        + "Flowgate registers (flowgate_<hash>, new revisions each deployment); TerminateJob on the jobs it "
                        + "submitted, whose ids are only known at run time; Distributed Map child executions of " + machines,
                        regex("^Resource::arn:<AWS::Partition>:(batch:.*:(job-queue/[a-z0-9-]+-\\*|job-definition/flowgate_\\*|job/\\*)"
                                + "|states:.*:(stateMachine:[a-z0-9-]+_\\*|execution:[a-z0-9-]+_\\*/\\*))$")));
    }

    private static void suppress(Stack stack, String path, NagPackSuppression... suppressions) {
        NagSuppressions.addResourceSuppressionsByPath(stack, "/" + stack.getNode().getPath() + path, List.of(suppressions));
    }

    private static NagPackSuppression rule(String id, String reason, Object... appliesTo) {
        REASONS.add(reason);
        NagPackSuppression.Builder b = NagPackSuppression.builder().id(id).reason(reason);
        if (appliesTo.length > 0) {
            b.appliesTo(List.of(appliesTo));
        }
        return b.build();
    }

    private static RegexAppliesTo regex(String pattern) {
        return RegexAppliesTo.builder().regex("/" + pattern + "/g").build();
    }
}

package dev.flowgate.deployer.handler;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.FunctionContract;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The deployer's contract guards every SDK client its wiring builds: a declared call goes out (here it fails to
 * connect: nothing listens), an undeclared one is refused before it leaves, naming the IAM action. Covers the
 * service-name mapping of all eight services the deployer and webhook use.
 */
class DeployerContractTest {
    private static final AwsSettings AWS = DeployerWiring.DEPLOYER
            .aws(Environment.of(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9", "AWS_REGION", "us-east-1")));

    @Test
    void declaredCallsPass_undeclaredAreRefusedNamingTheAction() {
        try (SfnClient sfn = AWS.configure(SfnClient.builder()); DynamoDbClient dynamo = AWS.configure(DynamoDbClient.builder());
             S3Client s3 = AWS.configure(S3Client.builder()); BatchClient batch = AWS.configure(BatchClient.builder());
             EventBridgeClient events = AWS.configure(EventBridgeClient.builder());
             SchedulerClient scheduler = AWS.configure(SchedulerClient.builder());
             SecretsManagerClient secrets = AWS.configure(SecretsManagerClient.builder());
             LambdaClient lambda = AWS.configure(LambdaClient.builder())) {
            assertSent(() -> sfn.describeStateMachine(r -> r.stateMachineArn("arn:aws:states:us-east-1:1:stateMachine:x")));
            assertRefused(() -> sfn.startExecution(r -> r.stateMachineArn("arn:aws:states:us-east-1:1:stateMachine:x")), "states:StartExecution");
            assertSent(() -> dynamo.getItem(r -> r.tableName("t").key(Map.of())));
            assertRefused(() -> dynamo.scan(r -> r.tableName("t")), "dynamodb:Scan");
            assertSent(() -> dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder()
                    .put(Put.builder().tableName("t").item(Map.of()).build()).build())));
            assertRefused(() -> dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder()
                    .conditionCheck(ConditionCheck.builder().tableName("t").key(Map.of()).conditionExpression("x").build()).build())),
                    "dynamodb:ConditionCheckItem");
            assertSent(() -> s3.getObject(r -> r.bucket("b").key("k")));
            assertRefused(() -> s3.deleteObject(r -> r.bucket("b").key("k")), "s3:DeleteObject");
            assertSent(() -> batch.describeJobDefinitions(r -> r.jobDefinitionName("flowgate_x")));
            assertRefused(() -> batch.submitJob(r -> r.jobName("j").jobQueue("q").jobDefinition("d")), "batch:SubmitJob");
            assertSent(() -> events.describeRule(r -> r.name("flowgate-finish-x")));
            assertRefused(() -> events.putEvents(r -> r.entries(e -> e.source("x"))), "events:PutEvents");
            assertSent(() -> scheduler.getSchedule(r -> r.name("s").groupName("g")));
            assertRefused(() -> scheduler.listSchedules(r -> r.groupName("g")), "scheduler:ListSchedules");
            assertSent(() -> secrets.getSecretValue(r -> r.secretId("s")));
            assertRefused(() -> secrets.putSecretValue(r -> r.secretId("s").secretString("v")), "secretsmanager:PutSecretValue");
            assertSent(() -> lambda.invoke(r -> r.functionName("flowgate-alerter")));
            assertRefused(() -> lambda.deleteFunction(r -> r.functionName("flowgate-alerter")), "lambda:DeleteFunction");
        }
    }

    @Test
    void theWebhookMayOnlyInvokeTheDeployer_notTouchStepFunctions() {
        assertThat(DeployerWiring.WEBHOOK.sdkActions()).contains("lambda:InvokeFunction", "secretsmanager:GetSecretValue")
                .noneMatch(a -> a.startsWith("states:") || a.startsWith("s3:"));
        assertThat(DeployerWiring.DEPLOYER.requiredEnvironment()).contains(DeployerWiring.METADATA_API_KEY_SECRET,
                "METAFLOW_SERVICE_URL", DeployerWiring.STATE_MACHINE_PREFIX,
                // production jobs call the metadata API with the key Batch reads from this secret (else 403)
                DeployerWiring.JOBS_KEY_SECRET, DeployerWiring.JOBS_EXECUTION_ROLE);
    }

    private static void assertSent(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(SdkClientException.class)
                .isNotInstanceOf(FunctionContract.UndeclaredSdkCallException.class);
    }

    private static void assertRefused(Runnable call, String action) {
        assertThatThrownBy(call::run).isInstanceOf(FunctionContract.UndeclaredSdkCallException.class)
                .hasMessageContaining("deployer calls " + action + ", which its FunctionContract does not declare");
    }

    @Test
    void onAws_aDeployerThatCouldGiveItsJobsNoMetadataKey_refusesToStart_namingTheVariable() {
        Environment none = Environment.of(Map.of());
        assertThatThrownBy(() -> DeployerWiring.jobsKey(none, new HashMap<>(), false))
                .hasMessageContaining(DeployerWiring.JOBS_KEY_SECRET);
        Environment keyOnly = Environment.of(Map.of(DeployerWiring.JOBS_KEY_SECRET, "arn:aws:secretsmanager:us-east-1:1:secret:k"));
        assertThatThrownBy(() -> DeployerWiring.jobsKey(keyOnly, new HashMap<>(), false))
                .hasMessageContaining(DeployerWiring.JOBS_EXECUTION_ROLE);

        Map<String, String> settings = new HashMap<>();
        DeployerWiring.jobsKey(Environment.of(Map.of(DeployerWiring.JOBS_KEY_SECRET, "arn:key",
                DeployerWiring.JOBS_EXECUTION_ROLE, "arn:role")), settings, false);
        assertThat(settings).containsEntry("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", "arn:key")
                .containsEntry("METAFLOW_BATCH_EXECUTION_ROLE", "arn:role");

        Map<String, String> fromConfig = new HashMap<>(Map.of("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", "arn:config-key",
                "METAFLOW_BATCH_EXECUTION_ROLE", "arn:config-role"));
        DeployerWiring.jobsKey(none, fromConfig, false);
        assertThat(fromConfig).as("the Metaflow config's own settings are enough").containsEntry(
                "METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", "arn:config-key");

        Map<String, String> local = new HashMap<>();
        DeployerWiring.jobsKey(none, local, true);
        assertThat(local).as("on an emulator jobs may run without a key (the local API may not demand one)").isEmpty();
    }
}

package dev.flowgate.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The security and wiring properties of the stacks, asserted on the synthesized templates. One synthesis
 * serves the whole class (synthesis is the slow part on 2 cores).
 */
class FlowgateStacksTest {
    static Template network;
    static Template data;
    static Template compute;
    static Template control;

    @BeforeAll
    static void synthesize() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        TeamSettings settings = TeamSettings.parse(json);
        App app = new App();
        FlowgateApp.Stacks stacks = FlowgateApp.build(app, settings, Path.of("src/test/resources"));
        network = Template.fromStack(stacks.network());
        data = Template.fromStack(stacks.data());
        compute = Template.fromStack(stacks.compute());
        control = Template.fromStack(stacks.controlPlane());
    }

    @Test
    void verifiedPackages_jobRoleReadsButCannotWrite_deployerWrites() throws Exception {
        String jobPolicy = policies(compute, "JobRole");
        // jobs: read (and write) the datastore as before, with an explicit Deny on writing the verified prefix
        assertThat(jobPolicy).contains("\"Effect\":\"Deny\"").contains("DenyWritingVerifiedPackages")
                .contains("/flowgate/verified/*").contains("s3:PutObject*").contains("s3:DeleteObject*").contains("s3:GetObject*");
        Map<?, ?> deny = statements(compute, "JobRole").stream().filter(st -> "Deny".equals(st.get("Effect"))).findFirst().orElseThrow();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(deny.get("Resource")))
                .contains("/flowgate/verified/*");
        // the deployer: the same bucket-wide object write it had, and no Deny anywhere
        String deployerPolicy = policies(control, "Deployer");
        assertThat(deployerPolicy).contains("s3:PutObject").doesNotContain("\"Effect\":\"Deny\"");
    }

    private static String policies(Template template, String logicalIdPart) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(statements(template, logicalIdPart));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> statements(Template template, String logicalIdPart) {
        List<Map<?, ?>> all = new java.util.ArrayList<>();
        template.findResources("AWS::IAM::Policy").forEach((id, resource) -> {
            if (id.contains(logicalIdPart) && !id.contains("Webhook")) {
                Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) resource).get("Properties");
                Map<String, Object> document = (Map<String, Object>) properties.get("PolicyDocument");
                all.addAll((List<Map<?, ?>>) document.get("Statement"));
            }
        });
        assertThat(all).as("policies of " + logicalIdPart).isNotEmpty();
        return all;
    }

    @Test
    void network_hasPrivateSubnetsEndpointsAndFlowLogs() {
        network.resourceCountIs("AWS::EC2::VPC", 1);
        network.resourceCountIs("AWS::EC2::FlowLog", 1);
        network.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Gateway"), 2);
        network.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Interface"), 9);
        network.resourceCountIs("AWS::EC2::NatGateway", 1);
    }

    @Test
    void datastore_isEncryptedPrivateVersionedLoggedAndTlsOnly() {
        data.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "BucketEncryption", Match.objectLike(Map.of("ServerSideEncryptionConfiguration",
                        List.of(Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256"))))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "LoggingConfiguration", Match.objectLike(Map.of("LogFilePrefix", "datastore/")))));
        data.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }

    @Test
    void tables_comeFromTheSharedDefinitions_onDemandWithPitrAndEncryption() {
        data.resourceCountIs("AWS::DynamoDB::Table", 3);
        data.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "TableName", "flowgate-metadata", "BillingMode", "PAY_PER_REQUEST",
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"), Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                "GlobalSecondaryIndexes", Match.arrayWith(List.of(Match.objectLike(Map.of("IndexName", "gsi1")))),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "SSESpecification", Map.of("SSEEnabled", true))));
        data.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "TableName", "flowgate-sfn-foreach",
                "KeySchema", List.of(Map.of("AttributeName", "pathspec", "KeyType", "HASH")),
                "TimeToLiveSpecification", Map.of("AttributeName", "ttl", "Enabled", true))));
    }

    @Test
    void lustre_isLinkedToTheDatastoreAndOnlyReachableFromItsClients() {
        data.hasResourceProperties("AWS::FSx::FileSystem", Match.objectLike(Map.of("FileSystemType", "LUSTRE",
                "LustreConfiguration", Match.objectLike(Map.of("DeploymentType", "PERSISTENT_2", "PerUnitStorageThroughput", 250)))));
        data.hasResourceProperties("AWS::FSx::DataRepositoryAssociation", Match.objectLike(Map.of(
                "FileSystemPath", "/datastore", "BatchImportMetaDataOnCreate", true)));
        data.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Match.objectLike(Map.of("FromPort", 988, "ToPort", 988,
                "IpProtocol", "tcp")));
    }

    @Test
    void batch_hasOnDemandSpotAndEfaQueues_efaInAClusterPlacementGroup() {
        compute.resourceCountIs("AWS::Batch::JobQueue", 3);
        compute.hasResourceProperties("AWS::Batch::ComputeEnvironment", Match.objectLike(Map.of("ComputeResources",
                Match.objectLike(Map.of("Type", "SPOT", "AllocationStrategy", "SPOT_CAPACITY_OPTIMIZED")))));
        compute.hasResourceProperties("AWS::Batch::ComputeEnvironment", Match.objectLike(Map.of("ComputeResources",
                Match.objectLike(Map.of("Type", "EC2", "InstanceTypes", List.of("p4d.24xlarge"),
                        "PlacementGroup", Match.anyValue())))));
        compute.hasResourceProperties("AWS::EC2::PlacementGroup", Map.of("Strategy", "cluster"));
        compute.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of("LaunchTemplateData", Match.objectLike(Map.of(
                "NetworkInterfaces", Match.arrayWith(List.of(Match.objectLike(Map.of("InterfaceType", "efa", "DeviceIndex", 0)))))))));
        compute.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Match.objectLike(Map.of("IpProtocol", "-1",
                "Description", "EFA and NCCL between nodes")));
    }

    @Test
    void jobRole_isLeastPrivilege_noWildcardActions() {
        Map<String, Map<String, Object>> policies = compute.findResources("AWS::IAM::Policy");
        assertThat(policies).isNotEmpty();
        String rendered = policies.toString();
        assertThat(rendered).doesNotContain("Action=*,").doesNotContain("\"Action\":\"*\"");
        assertThat(rendered).contains("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem");
    }

    @Test
    void stepFunctionsRole_canRunDistributedMapChildExecutions_withoutS3() {
        Map<String, Map<String, Object>> policies = control.findResources("AWS::IAM::Policy",
                Map.of("Properties", Map.of("Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("StepFunctionsRole.*"))))));
        assertThat(policies).hasSize(1);
        String rendered = policies.toString();
        assertThat(rendered).contains("Action=states:StartExecution", ":stateMachine:flowgate_*")
                .contains("Action=[states:DescribeExecution, states:StopExecution]", ":execution:flowgate_*/*")
                .contains("Action=batch:SubmitJob", ":job-queue/flowgate-*", ":job-definition/flowgate_*")
                .doesNotContain(":stateMachine:*").doesNotContain(":execution:*")
                .doesNotContain("s3:").doesNotContain("states:*");
        assertThat(rendered).as("foreach/switch reads and the @trigger_on_finish gate, on the foreach table only")
                .contains("Action=[dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:DeleteItem]").doesNotContain("dynamodb:*");
    }

    @Test
    void metadataApi_requiresApiKey_isThrottledLoggedAndUsesSnapStartOnAnAlias() {
        control.hasResourceProperties("AWS::ApiGateway::Method", Match.objectLike(Map.of("ApiKeyRequired", true)));
        control.hasResourceProperties("AWS::ApiGateway::UsagePlan", Match.objectLike(Map.of("Throttle",
                Map.of("RateLimit", 200, "BurstLimit", 400))));
        control.hasResourceProperties("AWS::ApiGateway::Stage", Match.objectLike(Map.of("StageName", "v1",
                "AccessLogSetting", Match.objectLike(Map.of("DestinationArn", Match.anyValue())), "TracingEnabled", true)));
        control.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", ControlPlaneStack.METADATA_HANDLER, "Runtime", "java21", "Architectures", List.of("arm64"),
                "SnapStart", Map.of("ApplyOn", "PublishedVersions"))));
        control.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "live")));
    }

    @Test
    void deployerAndWebhook_getTheRepositoryPolicyWithItsExperimentalOptIn_andNoGlobalBranchSetting() {
        String functions = control.findResources("AWS::Lambda::Function").toString();
        assertThat(functions).contains("FLOWGATE_REPOSITORIES=acme/ml-flows:main:experimental=feature/*|exp-*")
                .doesNotContain("FLOWGATE_EXPERIMENTAL_BRANCHES");
        for (String handler : List.of(ControlPlaneStack.DEPLOYER_HANDLER, ControlPlaneStack.WEBHOOK_HANDLER)) {
            control.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of("Handler", handler,
                    "Environment", Match.objectLike(Map.of("Variables", Match.objectLike(Map.of("FLOWGATE_REPOSITORIES",
                            "acme/ml-flows:main:experimental=feature/*|exp-*")))))));
        }
    }

    @Test
    void metadataApi_getsTheTeamsProductionCallersAndGateTaggers_andProductionJobsHaveTheirOwnKey() {
        control.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", ControlPlaneStack.METADATA_HANDLER, "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "FLOWGATE_PRODUCTION_CALLERS", "key-sha256:0123456789abcdef",
                        "FLOWGATE_GATE_TAGGERS", "key-sha256:fedcba9876543210,arn:aws:iam::123456789012:role/release"))))));
        control.resourceCountIs("AWS::ApiGateway::ApiKey", 3);
        control.hasResourceProperties("AWS::ApiGateway::ApiKey", Match.objectLike(Map.of("Name", "flowgate-production-jobs")));
    }

    @Test
    void deployer_isAsyncWithDeadLetterQueue_andInvokableByTheJenkinsRoleOnly() {
        control.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Match.objectLike(Map.of("MaximumRetryAttempts", 1,
                "DestinationConfig", Match.objectLike(Map.of("OnFailure", Match.anyValue())))));
        String permissions = control.findResources("AWS::Lambda::Permission").toString();
        assertThat(permissions).contains(":role/jenkins-deployer", "lambda:InvokeFunction");
        control.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of("QueueName", "flowgate-deployer-dlq",
                "SqsManagedSseEnabled", true)));
        control.hasResourceProperties("AWS::SecretsManager::Secret", Map.of("Name", "flowgate/github-webhook-secret",
                "Description", Match.anyValue(), "GenerateSecretString", Match.anyValue()));
    }

    @Test
    void alerting_ruleCoversFailedStatuses_withRetriesDlqAndAlarms() {
        control.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of("EventPattern", Map.of(
                "source", List.of("aws.states"), "detail-type", List.of("Step Functions Execution Status Change"),
                "detail", Map.of("status", List.of("FAILED", "TIMED_OUT", "ABORTED"))))));
        String rules = control.findResources("AWS::Events::Rule").toString();
        assertThat(rules).contains("MaximumRetryAttempts=8", "MaximumEventAgeInSeconds=21600", "DeadLetterConfig");
        control.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("Threshold", 0)), 6);
    }

    @Test
    void flowStarts_scheduleGroupAndLeastPrivilegeForSchedulesAndFinishTriggers() {
        control.hasResourceProperties("AWS::Scheduler::ScheduleGroup", Map.of("Name", "flowgate-flow-schedules"));
        // the role schedules and finish rules start executions with: both services may assume it, it may only start
        String eventsRole = control.findResources("AWS::IAM::Role").entrySet().stream()
                .filter(e -> e.getKey().startsWith("EventBridgeRole")).findFirst().orElseThrow().getValue().toString();
        assertThat(eventsRole).contains("scheduler.amazonaws.com", "events.amazonaws.com");
        String eventsPolicy = control.findResources("AWS::IAM::Policy").entrySet().stream()
                .filter(e -> e.getKey().startsWith("EventBridgeRoleDefaultPolicy")).findFirst().orElseThrow().getValue().toString();
        assertThat(eventsPolicy).contains("states:StartExecution").doesNotContain("states:*");
        Map<String, Object> deployerPolicy = control.findResources("AWS::IAM::Policy").entrySet().stream()
                .filter(e -> e.getKey().startsWith("DeployerServiceRoleDefaultPolicy")).findFirst().orElseThrow().getValue();
        String deployer = deployerPolicy.toString();
        assertThat(deployer).contains("scheduler:CreateSchedule", "schedule/flowgate-flow-schedules/*",
                "rule/flowgate-finish-*", "iam:PassRole", "EventBridgeRole");
        assertThat(deployer).doesNotContain("scheduler:*").doesNotContain("events:*");
        // rules are created only under Flowgate's prefix; rules of other names may only be cleaned up
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                deployerPolicy.get("Properties")).get("PolicyDocument")).get("Statement");
        List<Map<String, Object>> creating = statements.stream().filter(st -> String.valueOf(st.get("Action")).contains("events:PutRule")
                || String.valueOf(st.get("Action")).contains("events:PutTargets")).toList();
        assertThat(creating).singleElement().satisfies(st -> assertThat(String.valueOf(st.get("Resource")))
                .contains("rule/flowgate-finish-*").doesNotContain("rule/*"));
        List<Map<String, Object>> scheduling = statements.stream()
                .filter(st -> String.valueOf(st.get("Action")).contains("scheduler:CreateSchedule,")).toList();
        assertThat(scheduling).singleElement().satisfies(st -> assertThat(String.valueOf(st.get("Resource")))
                .endsWith(":schedule/flowgate-flow-schedules/*]]}"));
    }

    @Test
    void outputs_giveEveryMetaflowConfigValue() {
        assertThat(control.findOutputs("*").keySet()).contains("METAFLOWSERVICEURL", "METAFLOWSFNIAMROLE",
                "METAFLOWEVENTSSFNACCESSIAMROLE", "METAFLOWSERVICEAUTHKEYID");
        assertThat(data.findOutputs("*").keySet()).contains("METAFLOWDATASTORESYSROOTS3", "METAFLOWSFNDYNAMODBTABLE");
        assertThat(compute.findOutputs("*").keySet()).contains("METAFLOWBATCHJOBQUEUE", "METAFLOWECSS3ACCESSIAMROLE");
    }
}

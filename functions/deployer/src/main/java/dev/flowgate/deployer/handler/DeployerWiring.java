package dev.flowgate.deployer.handler;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.SecretValues;
import dev.flowgate.deployer.adapter.MetadataServiceHeaders;
import software.amazon.lambda.powertools.parameters.secrets.SecretsProvider;
import dev.flowgate.aws.FunctionContract;
import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.aws.FunctionContract.ResourceKind;
import dev.flowgate.deployer.adapter.DynamoDbDeploymentStore;
import dev.flowgate.deployer.adapter.LambdaAsyncDispatcher;
import dev.flowgate.deployer.adapter.SecretsManagerSecret;
import dev.flowgate.deployer.domain.DeploymentIds;
import dev.flowgate.deployer.domain.RepositoryPolicy;
import dev.flowgate.deployer.domain.StatusLinks;
import dev.flowgate.deployer.domain.WebhookService;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

import dev.flowgate.deployer.adapter.GitHubRestHost;
import dev.flowgate.deployer.adapter.LambdaAlertNotifier;
import dev.flowgate.deployer.adapter.LoggingAlertNotifier;
import dev.flowgate.deployer.adapter.MetadataServiceRunRegistry;
import dev.flowgate.deployer.adapter.MetaflowRunArtifacts;
import dev.flowgate.deployer.domain.graph.GraphCheck;
import dev.flowgate.deployer.adapter.S3CodePackageStore;
import dev.flowgate.deployer.adapter.SfnStateMachineDeployer;
import dev.flowgate.deployer.adapter.BatchJobDefinitionRegistry;
import dev.flowgate.deployer.adapter.MetaflowFlowCompiler;
import software.amazon.awssdk.services.batch.BatchClient;
import dev.flowgate.deployer.domain.DeploymentHistory;
import dev.flowgate.deployer.domain.DeploymentPipeline;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.model.json.FlowgateJson;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the deployer's services from an {@link Environment}: SDK clients once per container. Settings:
 * FLOWGATE_RESOURCE_PREFIX, FLOWGATE_REPOSITORIES (see {@link RepositoryPolicy}), FLOWGATE_DEPLOYER_FUNCTION
 * (default {@value #DEPLOYER_FUNCTION}), FLOWGATE_LOCAL_URL (local runtime: where the Lambda Invoke API is).
 */
public final class DeployerWiring {
    public static final String DEPLOYER_FUNCTION = "flowgate-deployer";
    static final Duration SECRET_MAX_AGE = SecretValues.DEFAULT_MAX_AGE;
    /** The Secrets Manager secret (ARN or name) holding the x-api-key the deployer sends to the metadata API. */
    public static final String METADATA_API_KEY_SECRET = "FLOWGATE_METADATA_API_KEY_SECRET";
    /**
     * The ARN of the secret holding the production jobs' metadata API key: compiled job definitions name it in
     * their {@code secrets} (Batch puts it in METAFLOW_SERVICE_AUTH_KEY), never its value.
     */
    public static final String JOBS_KEY_SECRET = "FLOWGATE_JOBS_AUTH_KEY_SECRET_ARN";
    /** The ECS task execution role Batch uses to read that secret for the job. */
    public static final String JOBS_EXECUTION_ROLE = "FLOWGATE_JOBS_EXECUTION_ROLE_ARN";
    /** The team's state machine name prefix (machines are named {@code <prefix>_<flow or project>}); it overrides the Metaflow config's, because the deployer's IAM policy reaches only machines named with it. */
    public static final String STATE_MACHINE_PREFIX = "METAFLOW_SFN_STATE_MACHINE_PREFIX";

    private static final String PREFIX_MEANING = "resource name prefix (tables, secrets, schedule group, rules)";
    private static final String CONTROL = FlowgateResources.CONTROL.logicalName();

    /** What the GitHub webhook function reads and calls ({@link #webhookService}). */
    public static final FunctionContract WEBHOOK = FunctionContract.builder("github-webhook")
            .required("FLOWGATE_RESOURCE_PREFIX", PREFIX_MEANING)
            .required(RepositoryPolicy.SETTING, "repositories the deployer accepts, with their branches")
            .optional(RepositoryPolicy.RETIRED_SETTING, "retired: refused when set")
            .required("FLOWGATE_DEPLOYER_FUNCTION", "the deployer function the webhook invokes asynchronously")
            .defaulted("FLOWGATE_DELIVERY_TTL_HOURS", "how long delivery ids are remembered (default 24)")
            .defaulted("FLOWGATE_COMMIT_DEDUP_MINUTES", "window in which a commit deploys once (default 10)")
            .local("FLOWGATE_LOCAL_URL", "the local runtime's Lambda Invoke API")
            .allows(Resource.of(ResourceKind.SECRET, FlowgateResources.GITHUB_WEBHOOK_SECRET.logicalName()),
                    "secretsmanager:GetSecretValue")
            .allows(Resource.of(ResourceKind.TABLE, CONTROL), "dynamodb:GetItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:Query")
            .allows(Resource.of(ResourceKind.FUNCTION, "deployer"), "lambda:InvokeFunction")
            .build();

    /** What the deployer function reads and calls ({@link #pipeline}, and {@link #history} for the CLI). */
    public static final FunctionContract DEPLOYER = FunctionContract.builder("deployer")
            .required("FLOWGATE_RESOURCE_PREFIX", PREFIX_MEANING)
            .required(RepositoryPolicy.SETTING, "repositories the deployer accepts, with their branches")
            .optional(RepositoryPolicy.RETIRED_SETTING, "retired: refused when set")
            .required("METAFLOW_SERVICE_URL", "the metadata API")
            .required(METADATA_API_KEY_SECRET, "secret holding the metadata API key the deployer sends as x-api-key")
            .required("FLOWGATE_SFN_ROLE_ARN", "role flows' state machines run with (emulated: a placeholder)")
            .required("FLOWGATE_EVENTS_ROLE_ARN", "role schedules and finish triggers start executions with")
            .required("FLOWGATE_METAFLOW_CONFIG_SECRET", "secret holding the Metaflow config JSON flows deploy with")
            .required("METAFLOW_DATASTORE_SYSROOT_S3", "the datastore root (default s3://<prefix>-datastore/metaflow)")
            .required("FLOWGATE_ALERTER_FUNCTION", "the alerter, told of failed deployments")
            .required(STATE_MACHINE_PREFIX, "state machine name prefix the deployer's IAM policy is scoped to")
            .defaulted("FLOWGATE_GITHUB_API_URL", "GitHub's REST API (default https://api.github.com)")
            .optional("GITHUB_API_URL", "GitHub Enterprise's REST API when FLOWGATE_GITHUB_API_URL is unset")
            .optional("METAFLOW_SERVICE_HEADERS", "extra headers (JSON) for metadata API calls")
            .local("METAFLOW_SERVICE_AUTH_KEY", "the metadata API key in plain text (local runtime and tests)")
            .required(JOBS_KEY_SECRET, "secret (ARN) holding the production jobs' metadata API key; job definitions name it"
                    + " (without it jobs call the metadata API with no key: 403)")
            .required(JOBS_EXECUTION_ROLE, "ECS task execution role Batch reads the jobs' key secret with")
            .local("FLOWGATE_METAFLOW_CONFIG", "the Metaflow config JSON in plain text (local runtime and tests)")
            .optional("FLOWGATE_METAFLOW_LAYER", "s3:// tar.gz of the pinned Metaflow library for experimental packages")
            .local("FLOWGATE_LOCAL_URL", "the local runtime (Lambda Invoke API, GitHub stand-in, metadata API)")
            .allows(Resource.of(ResourceKind.SECRET, FlowgateResources.GITHUB_TOKEN.logicalName()), "secretsmanager:GetSecretValue")
            .allows(Resource.of(ResourceKind.SECRET, "metaflow-config"), "secretsmanager:GetSecretValue")
            .allows(Resource.of(ResourceKind.SECRET, "deployer-api-key"), "secretsmanager:GetSecretValue")
            .allows(Resource.of(ResourceKind.TABLE, CONTROL), "dynamodb:GetItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:Query")
            .allows(Resource.of(ResourceKind.DATASTORE_OBJECTS), "s3:GetObject", "s3:PutObject")
            // without ListBucket a missing key answers 403 instead of NoSuchKey, which the package store relies on
            .allows(Resource.of(ResourceKind.DATASTORE_BUCKET), "s3:ListBucket")
            .allows(Resource.of(ResourceKind.JOB_DEFINITIONS), "batch:RegisterJobDefinition")
            .allows(Resource.of(ResourceKind.NO_RESOURCE_LEVEL_PERMISSIONS, "DescribeJobDefinitions, ListStateMachines"),
                    "batch:DescribeJobDefinitions", "states:ListStateMachines")
            .allows(Resource.of(ResourceKind.FLOW_STATE_MACHINES), "states:CreateStateMachine",
                    "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine",
                    "states:TagResource", "states:ListTagsForResource", "states:PublishStateMachineVersion")
            .allows(Resource.of(ResourceKind.SCHEDULES), "scheduler:GetSchedule", "scheduler:CreateSchedule",
                    "scheduler:UpdateSchedule", "scheduler:DeleteSchedule")
            .allows(Resource.of(ResourceKind.SCHEDULE_GROUP), "scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup")
            .allows(Resource.of(ResourceKind.FINISH_RULES), "events:PutRule", "events:PutTargets", "events:DeleteRule",
                    "events:RemoveTargets", "events:DescribeRule", "events:ListTargetsByRule")
            .allows(Resource.of(ResourceKind.FLOW_SCHEDULE_RULES), "events:DescribeRule", "events:ListTargetsByRule",
                    "events:RemoveTargets", "events:DeleteRule")
            // not SDK calls of their own: CreateStateMachine with publish=true needs PublishStateMachineVersion, and
            // passing the roles to state machines, schedules, rule targets and job definitions (job role, and the
            // execution role that reads the jobs' key secret) needs iam:PassRole
            .allows(Resource.of(ResourceKind.PASSED_ROLE, "sfn, events, job, jobs' execution"), "iam:PassRole")
            .allows(Resource.of(ResourceKind.FUNCTION, "alerter"), "lambda:InvokeFunction")
            .build();

    private DeployerWiring() {
    }

    static FlowgateResources resources(Environment env) {
        return new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
    }

    public static WebhookService webhookService(Environment system) {
        Environment env = WEBHOOK.environment(system);
        AwsSettings aws = WEBHOOK.aws(env);
        FlowgateResources names = resources(env);
        SecretsProvider secrets = SecretValues.provider(aws, SECRET_MAX_AGE);
        DynamoDbClient dynamo = aws.configure(DynamoDbClient.builder());
        LambdaClient lambda = lambdaClient(env, aws);
        DynamoDbDeploymentStore ledger = new DynamoDbDeploymentStore(dynamo, names.tableName(FlowgateResources.CONTROL));
        return new WebhookService(
                new SecretsManagerSecret(secrets, names.secretName(FlowgateResources.GITHUB_WEBHOOK_SECRET)),
                repositoryPolicy(env),
                ledger,
                new LambdaAsyncDispatcher(lambda, env.get("FLOWGATE_DEPLOYER_FUNCTION", DEPLOYER_FUNCTION)),
                new DeploymentIds(), Clock.systemUTC(),
                Duration.ofHours(env.getInt("FLOWGATE_DELIVERY_TTL_HOURS", 24)),
                Duration.ofMinutes(env.getInt("FLOWGATE_COMMIT_DEDUP_MINUTES", 10)));
    }

    /** {@code FLOWGATE_REPOSITORIES} with per-repository experimental opt-ins; the retired global setting is refused. */
    static RepositoryPolicy repositoryPolicy(Environment env) {
        RepositoryPolicy.refuseGlobalExperimentalSetting(env.get(RepositoryPolicy.RETIRED_SETTING));
        return RepositoryPolicy.parse(env.get(RepositoryPolicy.SETTING, ""));
    }

    static final String LOCAL_ROLE = "arn:aws:iam::123456789012:role/flowgate-local";
    static final String ALERTER_FUNCTION = "flowgate-alerter";

    /** Locally the runtime itself serves the Lambda Invoke API; in AWS the regional endpoint. */
    private static LambdaClient lambdaClient(Environment env, AwsSettings aws) {
        AwsSettings lambdaSettings = env.get("FLOWGATE_LOCAL_URL")
                .map(url -> aws.withEndpoint(URI.create(url)))
                .orElse(aws);
        return lambdaSettings.configure(LambdaClient.builder());
    }

    /**
     * METAFLOW_SERVICE_HEADERS plus the deployer's API key: from the Secrets Manager secret named by
     * {@value #METADATA_API_KEY_SECRET} (AWS, and the local platform, which seeds it in the emulator), else from
     * METAFLOW_SERVICE_AUTH_KEY (a development shortcut; a key in plain text, never set by the CDK app).
     */
    static MetadataServiceHeaders metadataHeaders(Environment env, SecretsProvider secrets) {
        Map<String, String> fixed = new HashMap<>();
        env.get("METAFLOW_SERVICE_HEADERS").ifPresent(h -> FlowgateJson.parse(h).fields()
                .forEachRemaining(e -> fixed.put(e.getKey(), e.getValue().asText())));
        Optional<Supplier<String>> key = env.get(METADATA_API_KEY_SECRET)
                .<Supplier<String>>map(arn -> {
                    SecretsManagerSecret secret = new SecretsManagerSecret(secrets, arn);
                    return () -> secret.get().strip();
                })
                .or(() -> env.get("METAFLOW_SERVICE_AUTH_KEY").map(k -> () -> k));
        return new MetadataServiceHeaders(fixed, key);
    }

    /**
     * The jobs' metadata API key reaches Batch as a job-definition secret (by ARN, read with the execution role); its
     * value never enters a definition. The Metaflow config's own settings win. On AWS, where every metadata API call
     * needs a key, a deployer that could give its jobs none fails closed at start: otherwise every deployment would
     * "succeed" and every production step would then be refused (403).
     */
    static void jobsKey(Environment env, Map<String, String> metaflowSettings, boolean emulated) {
        env.get(JOBS_KEY_SECRET).ifPresent(arn -> metaflowSettings.putIfAbsent("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN", arn));
        env.get(JOBS_EXECUTION_ROLE).ifPresent(role -> metaflowSettings.putIfAbsent("METAFLOW_BATCH_EXECUTION_ROLE", role));
        if (!emulated && !metaflowSettings.containsKey("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN")) {
            throw new Environment.MissingSettingException(JOBS_KEY_SECRET);
        }
        if (!emulated && !metaflowSettings.containsKey("METAFLOW_BATCH_EXECUTION_ROLE")) {
            throw new Environment.MissingSettingException(JOBS_EXECUTION_ROLE);
        }
    }

    /** The deployment pipeline with its production adapters. */
    public static DeploymentPipeline pipeline(Environment env) {
        return pipeline(env, new MetaflowFlowCompiler());
    }

    public static DeploymentPipeline pipeline(Environment system, FlowCompiler compiler) {
        Environment env = DEPLOYER.environment(system);
        AwsSettings aws = DEPLOYER.aws(env);
        FlowgateResources names = resources(env);
        SecretsProvider secrets = SecretValues.provider(aws, SECRET_MAX_AGE);
        DynamoDbDeploymentStore store = new DynamoDbDeploymentStore(aws.configure(DynamoDbClient.builder()),
                names.tableName(FlowgateResources.CONTROL));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        Optional<String> local = env.get("FLOWGATE_LOCAL_URL");
        String githubApi = env.get("FLOWGATE_GITHUB_API_URL").or(() -> env.get("GITHUB_API_URL"))
                .or(() -> local.map(u -> u + "/local/github"))
                .orElse("https://api.github.com");
        SecretsManagerSecret token = new SecretsManagerSecret(secrets, names.secretName(FlowgateResources.GITHUB_TOKEN));
        String metadataUrl = env.get("METAFLOW_SERVICE_URL").or(() -> local)
                .orElseThrow(() -> new Environment.MissingSettingException("METAFLOW_SERVICE_URL"));
        MetadataServiceHeaders metadataHeaders = metadataHeaders(env, secrets);
        boolean emulated = env.get("AWS_ENDPOINT_URL").isPresent();
        String sfnRole = emulated ? env.get("FLOWGATE_SFN_ROLE_ARN", LOCAL_ROLE) : env.require("FLOWGATE_SFN_ROLE_ARN");
        String eventsRole = emulated ? env.get("FLOWGATE_EVENTS_ROLE_ARN", LOCAL_ROLE) : env.require("FLOWGATE_EVENTS_ROLE_ARN");
        Map<String, String> metaflowSettings = new HashMap<>();
        // the Metaflow config JSON: from a Secrets Manager secret when named, else from the environment
        Optional<String> config = env.get("FLOWGATE_METAFLOW_CONFIG_SECRET")
                .map(id -> new SecretsManagerSecret(secrets, id).get())
                .or(() -> env.get("FLOWGATE_METAFLOW_CONFIG"));
        config.ifPresent(c -> FlowgateJson.parse(c).fields()
                .forEachRemaining(e -> metaflowSettings.put(e.getKey(), e.getValue().asText())));
        // the platform's prefix wins over the config's: the deployer's IAM policy only reaches machines named with it
        env.get(STATE_MACHINE_PREFIX).ifPresent(p -> metaflowSettings.put("METAFLOW_SFN_STATE_MACHINE_PREFIX", p));
        String datastoreRoot = env.get("METAFLOW_DATASTORE_SYSROOT_S3")
                .or(() -> Optional.ofNullable(metaflowSettings.get("METAFLOW_DATASTORE_SYSROOT_S3")))
                .orElse("s3://" + names.physicalName(FlowgateResources.DATASTORE.logicalName()) + "/metaflow");
        // what the platform itself knows fills the gaps of the Metaflow config (the config always wins)
        metaflowSettings.putIfAbsent("METAFLOW_DATASTORE_SYSROOT_S3", datastoreRoot);
        metaflowSettings.putIfAbsent("METAFLOW_SERVICE_URL", metadataUrl);
        metaflowSettings.putIfAbsent("METAFLOW_SFN_IAM_ROLE", sfnRole);
        metaflowSettings.putIfAbsent("METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE", eventsRole);
        metaflowSettings.putIfAbsent("METAFLOW_SFN_DYNAMO_DB_TABLE", names.tableName(FlowgateResources.SFN_FOREACH));
        jobsKey(env, metaflowSettings, emulated);
        if (emulated) {
            metaflowSettings.putIfAbsent("METAFLOW_BATCH_JOB_QUEUE",
                    "arn:aws:batch:" + aws.region().id() + ":123456789012:job-queue/flowgate-local");
            metaflowSettings.putIfAbsent("METAFLOW_ECS_S3_ACCESS_IAM_ROLE", LOCAL_ROLE);
            env.get("AWS_ENDPOINT_URL").ifPresent(u -> metaflowSettings.putIfAbsent("METAFLOW_S3_ENDPOINT_URL", u));
        }
        S3Client s3 = aws.configure(S3Client.builder().forcePathStyle(emulated));
        return new DeploymentPipeline(
                new GitHubRestHost(http, githubApi, token),
                new MetadataServiceRunRegistry(http, metadataUrl, metadataHeaders),
                new S3CodePackageStore(s3, datastoreRoot),
                compiler,
                new BatchJobDefinitionRegistry(aws.configure(BatchClient.builder())),
                machines(names, aws, sfnRole, eventsRole),
                store,
                store,
                new LambdaAlertNotifier(lambdaClient(env, aws), env.get("FLOWGATE_ALERTER_FUNCTION", ALERTER_FUNCTION),
                        new LoggingAlertNotifier(), Clock.systemUTC()),
                repositoryPolicy(env),
                metaflowSettings, env.get("FLOWGATE_METAFLOW_LAYER"), new DeploymentIds(), Clock.systemUTC(),
                new GraphCheck(new MetaflowRunArtifacts(http, metadataUrl, metadataHeaders, s3, datastoreRoot), compiler))
                .linkStatusesTo(statusLinks(env, aws.region().id(), sfnRole));
    }

    /**
     * Where commit statuses link: locally the deployment record the local platform serves, on AWS the Step Functions
     * console page of the state machine (the account is the one of the deployer's Step Functions role).
     */
    static StatusLinks statusLinks(Environment env, String region, String sfnRole) {
        Optional<String> local = env.get("FLOWGATE_LOCAL_URL");
        if (local.isPresent()) {
            return StatusLinks.localRecord(local.get());
        }
        return StatusLinks.accountOf(sfnRole).map(account -> StatusLinks.stepFunctionsConsole(region, account))
                .orElse(StatusLinks.none());
    }

    /** What {@code flowgate deployments}, {@code flowgate rollback} and {@code flowgate undeploy} call. */
    public static DeploymentHistory history(Environment system) {
        Environment env = DEPLOYER.environment(system);
        AwsSettings aws = DEPLOYER.aws(env);
        boolean emulated = env.get("AWS_ENDPOINT_URL").isPresent();
        String sfnRole = emulated ? env.get("FLOWGATE_SFN_ROLE_ARN", LOCAL_ROLE) : env.require("FLOWGATE_SFN_ROLE_ARN");
        String eventsRole = emulated ? env.get("FLOWGATE_EVENTS_ROLE_ARN", LOCAL_ROLE) : env.require("FLOWGATE_EVENTS_ROLE_ARN");
        DynamoDbDeploymentStore store = new DynamoDbDeploymentStore(aws.configure(DynamoDbClient.builder()),
                resources(env).tableName(FlowgateResources.CONTROL));
        return new DeploymentHistory(store, store, machines(resources(env), aws, sfnRole, eventsRole), new DeploymentIds(),
                Clock.systemUTC());
    }

    /** Step Functions, EventBridge and EventBridge Scheduler clients, built once with the deployer (per container). */
    private static SfnStateMachineDeployer machines(FlowgateResources names, AwsSettings aws, String sfnRole, String eventsRole) {
        return new SfnStateMachineDeployer(aws.configure(SfnClient.builder()), aws.configure(EventBridgeClient.builder()),
                aws.configure(SchedulerClient.builder()), sfnRole, eventsRole, names, 2000);
    }
}

package dev.flowgate.deployer.handler;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.adapter.DynamoDbDeploymentStore;
import dev.flowgate.deployer.adapter.LambdaAsyncDispatcher;
import dev.flowgate.deployer.adapter.SecretsManagerSecret;
import dev.flowgate.deployer.domain.DeploymentIds;
import dev.flowgate.deployer.domain.RepositoryPolicy;
import dev.flowgate.deployer.domain.WebhookService;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds the deployer's services from an {@link Environment}: SDK clients once per container. Settings:
 * FLOWGATE_RESOURCE_PREFIX, FLOWGATE_REPOSITORIES, FLOWGATE_EXPERIMENTAL_BRANCHES, FLOWGATE_DEPLOYER_FUNCTION
 * (default {@value #DEPLOYER_FUNCTION}), FLOWGATE_LOCAL_URL (local runtime: where the Lambda Invoke API is).
 */
final class DeployerWiring {
    static final String DEPLOYER_FUNCTION = "flowgate-deployer";
    static final Duration SECRET_MAX_AGE = Duration.ofMinutes(5);

    private DeployerWiring() {
    }

    static FlowgateResources resources(Environment env) {
        return new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
    }

    static WebhookService webhookService(Environment env) {
        AwsSettings aws = AwsSettings.from(env);
        FlowgateResources names = resources(env);
        SecretsManagerClient secrets = aws.configure(SecretsManagerClient.builder());
        DynamoDbClient dynamo = aws.configure(DynamoDbClient.builder());
        // locally the runtime itself serves the Lambda Invoke API; in AWS the regional endpoint
        AwsSettings lambdaSettings = env.get("FLOWGATE_LOCAL_URL")
                .map(url -> new AwsSettings(Optional.of(URI.create(url)), aws.region(), aws.credentials()))
                .orElse(aws);
        LambdaClient lambda = lambdaSettings.configure(LambdaClient.builder());
        DynamoDbDeploymentStore ledger = new DynamoDbDeploymentStore(dynamo, names.tableName(FlowgateResources.CONTROL));
        return new WebhookService(
                new SecretsManagerSecret(secrets, names.secretName(FlowgateResources.GITHUB_WEBHOOK_SECRET), SECRET_MAX_AGE,
                        Clock.systemUTC()),
                RepositoryPolicy.parse(env.get("FLOWGATE_REPOSITORIES", ""), env.get("FLOWGATE_EXPERIMENTAL_BRANCHES", "*")),
                ledger,
                new LambdaAsyncDispatcher(lambda, env.get("FLOWGATE_DEPLOYER_FUNCTION", DEPLOYER_FUNCTION)),
                new DeploymentIds(), Clock.systemUTC(),
                Duration.ofHours(env.getInt("FLOWGATE_DELIVERY_TTL_HOURS", 24)),
                Duration.ofMinutes(env.getInt("FLOWGATE_COMMIT_DEDUP_MINUTES", 10)));
    }
}

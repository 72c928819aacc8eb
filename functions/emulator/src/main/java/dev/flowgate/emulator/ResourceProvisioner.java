package dev.flowgate.emulator;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.model.resources.BucketSpec;
import dev.flowgate.model.resources.FlowgateResources;
import dev.flowgate.model.resources.SecretSpec;
import dev.flowgate.model.resources.TableSpec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates Flowgate's tables, buckets and secrets on an emulator from the definitions in
 * {@link FlowgateResources} — the same definitions the CDK stacks turn into CloudFormation. Idempotent:
 * what exists already is left as it is.
 */
public final class ResourceProvisioner implements AutoCloseable {
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final SecretsManagerClient secrets;
    private final FlowgateResources names;

    public ResourceProvisioner(AwsSettings settings, FlowgateResources names) {
        this.dynamo = settings.configure(DynamoDbClient.builder());
        this.s3 = settings.configure(S3Client.builder().forcePathStyle(true));
        this.secrets = settings.configure(SecretsManagerClient.builder());
        this.names = names;
    }

    /** Creates everything; returns the seeded secret values that came from development defaults, by name. */
    public Map<String, String> provisionAll(Environment env) {
        FlowgateResources.TABLES.forEach(this::createTable);
        FlowgateResources.BUCKETS.forEach(this::createBucket);
        Map<String, String> defaults = new LinkedHashMap<>();
        for (SecretSpec secret : FlowgateResources.SECRETS) {
            seedSecret(secret, env).ifPresent(value -> defaults.put(names.secretName(secret), value));
        }
        return defaults;
    }

    public String createTable(TableSpec spec) {
        String tableName = names.tableName(spec);
        List<AttributeDefinition> attributes = new ArrayList<>();
        Map<String, TableSpec.KeyAttribute> distinct = new LinkedHashMap<>();
        distinct.put(spec.partitionKey().name(), spec.partitionKey());
        spec.sortKeyIfAny().ifPresent(k -> distinct.put(k.name(), k));
        for (TableSpec.IndexSpec index : spec.globalIndexes()) {
            distinct.put(index.partitionKey().name(), index.partitionKey());
            if (index.sortKey() != null) {
                distinct.put(index.sortKey().name(), index.sortKey());
            }
        }
        distinct.values().forEach(k -> attributes.add(AttributeDefinition.builder()
                .attributeName(k.name()).attributeType(scalarType(k.kind())).build()));
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes)
                .keySchema(keySchema(spec.partitionKey(), spec.sortKey()));
        if (!spec.globalIndexes().isEmpty()) {
            request.globalSecondaryIndexes(spec.globalIndexes().stream()
                    .map(index -> GlobalSecondaryIndex.builder()
                            .indexName(index.name())
                            .keySchema(keySchema(index.partitionKey(), index.sortKey()))
                            .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                            .build())
                    .toList());
        }
        try {
            dynamo.createTable(request.build());
            spec.ttlAttributeIfAny().ifPresent(attribute -> dynamo.updateTimeToLive(r -> r.tableName(tableName)
                    .timeToLiveSpecification(t -> t.attributeName(attribute).enabled(true))));
        } catch (ResourceInUseException alreadyThere) {
            // idempotent
        }
        return tableName;
    }

    public String createBucket(BucketSpec spec) {
        String bucket = names.physicalName(spec.logicalName());
        try {
            s3.createBucket(r -> r.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException alreadyThere) {
            // idempotent
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
        return bucket;
    }

    /**
     * Seeds a secret from its local environment variable, else its development default; a secret with
     * neither is left absent. Returns the value when a development default was used, so it can be announced.
     */
    public Optional<String> seedSecret(SecretSpec spec, Environment env) {
        Optional<String> fromEnv = Optional.ofNullable(spec.localEnvVariable()).flatMap(env::get);
        Optional<String> value = fromEnv.or(() -> Optional.ofNullable(spec.developmentDefault()));
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String name = names.secretName(spec);
        try {
            secrets.createSecret(r -> r.name(name).description(spec.description()).secretString(value.get()));
        } catch (ResourceExistsException alreadyThere) {
            secrets.putSecretValue(r -> r.secretId(name).secretString(value.get()));
        }
        return fromEnv.isPresent() ? Optional.empty() : value;
    }

    /** Stores {@code value} in the secret {@code name} (created, or given a new version); returns the secret's ARN. */
    public String storeSecret(String name, String description, String value) {
        try {
            return secrets.createSecret(r -> r.name(name).description(description).secretString(value)).arn();
        } catch (ResourceExistsException alreadyThere) {
            return secrets.putSecretValue(r -> r.secretId(name).secretString(value)).arn();
        }
    }

    private static List<KeySchemaElement> keySchema(TableSpec.KeyAttribute partition, TableSpec.KeyAttribute sort) {
        List<KeySchemaElement> schema = new ArrayList<>();
        schema.add(KeySchemaElement.builder().attributeName(partition.name()).keyType(KeyType.HASH).build());
        if (sort != null) {
            schema.add(KeySchemaElement.builder().attributeName(sort.name()).keyType(KeyType.RANGE).build());
        }
        return schema;
    }

    private static ScalarAttributeType scalarType(TableSpec.Kind kind) {
        return switch (kind) {
            case STRING -> ScalarAttributeType.S;
            case NUMBER -> ScalarAttributeType.N;
            case BINARY -> ScalarAttributeType.B;
        };
    }

    @Override
    public void close() {
        dynamo.close();
        s3.close();
        secrets.close();
    }
}

package dev.flowgate.emulator;

import dev.flowgate.model.resources.FlowgateResources;
import dev.flowgate.model.resources.SecretSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves the SDK round trip through the emulator for each service the foundation touches. */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatorRoundTripIT {
    private AwsEmulator emulator;
    private FlowgateResources names;
    private ResourceProvisioner provisioner;

    @BeforeAll
    void provision(AwsEmulator emulator) {
        this.emulator = emulator;
        this.names = new FlowgateResources(AwsEmulator.uniqueName("rt"));
        this.provisioner = new ResourceProvisioner(emulator.settings(), names);
        provisioner.provisionAll(emulator.environment(names.prefix()).with("FLOWGATE_GITHUB_WEBHOOK_SECRET", "s3cr3t"));
    }

    @Test
    void dynamoDb_conditionalPut_whenItemExists_isRejected() {
        try (DynamoDbClient dynamo = emulator.settings().configure(DynamoDbClient.builder())) {
            String table = names.tableName(FlowgateResources.CONTROL);
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("delivery#1"), "sk", AttributeValue.fromS("-"));
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)")))
                    .isInstanceOf(ConditionalCheckFailedException.class);
        }
    }

    @Test
    void dynamoDb_tablesMatchTheSharedDefinitions() {
        try (DynamoDbClient dynamo = emulator.settings().configure(DynamoDbClient.builder())) {
            var table = dynamo.describeTable(r -> r.tableName(names.tableName(FlowgateResources.METADATA))).table();
            assertThat(table.keySchema()).extracting(k -> k.attributeName()).containsExactly("pk", "sk");
            assertThat(table.globalSecondaryIndexes()).extracting(i -> i.indexName()).containsExactly("gsi1");
            var ttl = dynamo.describeTimeToLive(r -> r.tableName(names.tableName(FlowgateResources.SFN_FOREACH)))
                    .timeToLiveDescription();
            assertThat(ttl.attributeName()).isEqualTo("ttl");
        }
    }

    @Test
    void s3_putThenGet_returnsTheSameBytes() {
        try (S3Client s3 = emulator.settings().configure(S3Client.builder().forcePathStyle(true))) {
            String bucket = names.physicalName(FlowgateResources.DATASTORE.logicalName());
            s3.putObject(r -> r.bucket(bucket).key("HelloFlow/data/ab/abc"), RequestBody.fromString("package bytes"));
            String read = s3.getObjectAsBytes(r -> r.bucket(bucket).key("HelloFlow/data/ab/abc")).asUtf8String();
            assertThat(read).isEqualTo("package bytes");
        }
    }

    @Test
    void secretsManager_seededFromEnvironment_andProvisioningTwiceKeepsOneSecret() {
        provisioner.provisionAll(emulator.environment(names.prefix()).with("FLOWGATE_GITHUB_WEBHOOK_SECRET", "rotated"));
        try (SecretsManagerClient secrets = emulator.settings().configure(SecretsManagerClient.builder())) {
            String value = secrets.getSecretValue(r -> r.secretId(names.secretName(FlowgateResources.GITHUB_WEBHOOK_SECRET)))
                    .secretString();
            assertThat(value).isEqualTo("rotated");
        }
    }

    @Test
    void seedSecret_withoutValueOrDefault_leavesItAbsent() {
        SecretSpec none = new SecretSpec("nothing-" + names.prefix(), "d", "FLOWGATE_UNSET_FOR_TEST", null);
        assertThat(provisioner.seedSecret(none, emulator.environment(names.prefix()))).isEmpty();
    }
}

package dev.flowgate.metadata.handler;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.metadata.adapter.DynamoDbMetadataStore;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;

/** Builds the service from configuration: one DynamoDB client, the METADATA table of this deployment. */
final class MetadataWiring {
    private MetadataWiring() {
    }

    static MetadataApi api(Environment env) {
        FlowgateResources resources = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
        DynamoDbClient dynamo = AwsSettings.from(env).configure(DynamoDbClient.builder());
        DynamoDbMetadataStore store = new DynamoDbMetadataStore(dynamo, resources.tableName(FlowgateResources.METADATA));
        return new MetadataApi(MetadataRoutes.build(new MetadataService(store, Clock.systemUTC())));
    }
}

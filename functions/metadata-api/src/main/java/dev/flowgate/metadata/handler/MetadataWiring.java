package dev.flowgate.metadata.handler;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.metadata.adapter.DynamoDbMetadataStore;
import dev.flowgate.metadata.adapter.DynamoDbUsage;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.domain.TagTrustPolicy;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;

/**
 * Builds the service from configuration: one DynamoDB client, the METADATA table of this deployment. With
 * {@code FLOWGATE_METADATA_STATS=true} (benchmarks only) it also serves the container's DynamoDB usage at
 * {@code GET /_flowgate/dynamodb-usage} ({@code DELETE} resets it). {@code FLOWGATE_PRODUCTION_CALLERS} and
 * {@code FLOWGATE_GATE_TAGGERS} (comma-separated caller names) configure the {@link TagTrustPolicy}.
 */
record MetadataWiring(MetadataApi api, DynamoDbUsage usage) {
    static final String USAGE_PATH = "/_flowgate/dynamodb-usage";

    static MetadataWiring from(Environment env) {
        FlowgateResources resources = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
        DynamoDbClient dynamo = AwsSettings.from(env).configure(DynamoDbClient.builder());
        DynamoDbUsage usage = new DynamoDbUsage();
        DynamoDbMetadataStore store = new DynamoDbMetadataStore(dynamo, resources.tableName(FlowgateResources.METADATA), usage);
        TagTrustPolicy tagTrust = TagTrustPolicy.fromSettings(env.get(TagTrustPolicy.PRODUCTION_CALLERS_SETTING, ""),
                env.get(TagTrustPolicy.GATE_TAGGERS_SETTING, ""));
        Router router = MetadataRoutes.build(new MetadataService(store, Clock.systemUTC(), tagTrust));
        if (Boolean.parseBoolean(env.get("FLOWGATE_METADATA_STATS", "false"))) {
            router.add("GET", USAGE_PATH, c -> Router.Reply.ok(usage.snapshot()))
                    .add("DELETE", USAGE_PATH, c -> {
                        usage.reset();
                        return Router.Reply.ok(usage.snapshot());
                    });
        }
        return new MetadataWiring(new MetadataApi(router), usage);
    }
}

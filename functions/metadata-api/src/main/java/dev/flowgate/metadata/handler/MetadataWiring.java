package dev.flowgate.metadata.handler;

import dev.flowgate.aws.Environment;
import dev.flowgate.aws.FunctionContract;
import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.aws.FunctionContract.ResourceKind;
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

    /** What the metadata API reads and calls; {@link #from} builds it only through this contract. */
    public static final FunctionContract CONTRACT = FunctionContract.builder("metadata-api")
            .required("FLOWGATE_RESOURCE_PREFIX", "resource name prefix (the metadata table)")
            .optional(TagTrustPolicy.PRODUCTION_CALLERS_SETTING, "callers allowed production: system tags (unset: nobody)")
            .optional(TagTrustPolicy.GATE_TAGGERS_SETTING, "callers allowed to add prod_ready (unset: anyone with a key)")
            .local("FLOWGATE_METADATA_STATS", "benchmarks only: serve the container's DynamoDB usage")
            .allows(Resource.of(ResourceKind.TABLE, FlowgateResources.METADATA.logicalName()), "dynamodb:GetItem",
                    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem")
            .allows(Resource.of(ResourceKind.TABLE_INDEXES, FlowgateResources.METADATA.logicalName()), "dynamodb:Query")
            .build();

    static MetadataWiring from(Environment system) {
        Environment env = CONTRACT.environment(system);
        FlowgateResources resources = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
        DynamoDbClient dynamo = CONTRACT.aws(env).configure(DynamoDbClient.builder());
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

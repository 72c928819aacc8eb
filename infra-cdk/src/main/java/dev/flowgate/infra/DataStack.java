package dev.flowgate.infra;

import dev.flowgate.model.resources.FlowgateResources;
import dev.flowgate.model.resources.TableSpec;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.fsx.CfnDataRepositoryAssociation;
import software.amazon.awscdk.services.fsx.LustreConfiguration;
import software.amazon.awscdk.services.fsx.LustreDeploymentType;
import software.amazon.awscdk.services.fsx.LustreFileSystem;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Flowgate and Metaflow keep: the datastore bucket (encrypted, TLS only, no public access, versioned, access
 * logged), the DynamoDB tables built from {@link FlowgateResources} (the definitions the local runtime uses too),
 * and FSx for Lustre linked to the bucket for training data, with the security group its clients need.
 */
public final class DataStack extends Stack {
    private final Bucket datastore;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final LustreFileSystem lustre;
    private final SecurityGroup lustreClients;

    public DataStack(Construct scope, String id, StackProps props, TeamSettings settings, IVpc vpc, ISubnet trainingSubnet) {
        super(scope, id, props);
        FlowgateResources names = new FlowgateResources(settings.resourcePrefix());
        Bucket accessLogs = Bucket.Builder.create(this, "AccessLogs")
                .encryption(BucketEncryption.S3_MANAGED).blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true).versioned(true).objectOwnership(ObjectOwnership.OBJECT_WRITER)
                .removalPolicy(RemovalPolicy.RETAIN).build();
        datastore = Bucket.Builder.create(this, "Datastore")
                .encryption(BucketEncryption.S3_MANAGED).blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true).versioned(true)
                .serverAccessLogsBucket(accessLogs).serverAccessLogsPrefix("datastore/")
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-old-versions")
                        .noncurrentVersionExpiration(Duration.days(settings.expireNoncurrentAfterDays())).build()))
                .removalPolicy(RemovalPolicy.RETAIN).build();
        for (TableSpec spec : FlowgateResources.TABLES) {
            Table table = Table.Builder.create(this, "Table-" + spec.logicalName())
                    .tableName(names.tableName(spec))
                    .partitionKey(attribute(spec.partitionKey()))
                    .sortKey(spec.sortKey() == null ? null : attribute(spec.sortKey()))
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
                    .encryption(TableEncryption.AWS_MANAGED)
                    .timeToLiveAttribute(spec.ttlAttribute())
                    .removalPolicy(RemovalPolicy.RETAIN)
                    .build();
            for (TableSpec.IndexSpec index : spec.globalIndexes()) {
                table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder().indexName(index.name())
                        .partitionKey(attribute(index.partitionKey()))
                        .sortKey(index.sortKey() == null ? null : attribute(index.sortKey())).build());
            }
            tables.put(spec.logicalName(), table);
        }
        lustreClients = SecurityGroup.Builder.create(this, "LustreClients").vpc(vpc)
                .description("Batch hosts that mount FSx for Lustre").allowAllOutbound(true).build();
        SecurityGroup lustreSg = SecurityGroup.Builder.create(this, "LustreFileSystem").vpc(vpc)
                .description("FSx for Lustre: Lustre traffic from its clients only").allowAllOutbound(false).build();
        lustreSg.addIngressRule(lustreClients, Port.tcp(988), "Lustre");
        lustreSg.addIngressRule(lustreClients, Port.tcpRange(1018, 1023), "Lustre");
        lustreSg.addIngressRule(lustreSg, Port.tcp(988), "Lustre peers");
        lustreSg.addEgressRule(lustreSg, Port.allTcp(), "Lustre peers");
        lustre = LustreFileSystem.Builder.create(this, "Lustre")
                .vpc(vpc).vpcSubnet(trainingSubnet).securityGroup(lustreSg)
                .storageCapacityGiB(settings.fsxStorageGiB())
                .lustreConfiguration(LustreConfiguration.builder().deploymentType(LustreDeploymentType.PERSISTENT_2)
                        .perUnitStorageThroughput(settings.fsxThroughput()).build())
                .removalPolicy(RemovalPolicy.RETAIN).build();
        CfnDataRepositoryAssociation.Builder.create(this, "LustreToDatastore")
                .fileSystemId(lustre.getFileSystemId())
                .fileSystemPath("/datastore")
                .dataRepositoryPath("s3://" + datastore.getBucketName() + "/" + settings.fsxImportPath())
                .batchImportMetaDataOnCreate(true)
                .s3(CfnDataRepositoryAssociation.S3Property.builder()
                        .autoImportPolicy(CfnDataRepositoryAssociation.AutoImportPolicyProperty.builder()
                                .events(List.of("NEW", "CHANGED", "DELETED")).build())
                        .autoExportPolicy(CfnDataRepositoryAssociation.AutoExportPolicyProperty.builder()
                                .events(List.of("NEW", "CHANGED", "DELETED")).build())
                        .build())
                .build();
        CfnOutput.Builder.create(this, "DatastoreRoot").key("METAFLOWDATASTORESYSROOTS3")
                .description("METAFLOW_DATASTORE_SYSROOT_S3").value("s3://" + datastore.getBucketName() + "/metaflow").build();
        CfnOutput.Builder.create(this, "DatatoolsRoot").key("METAFLOWDATATOOLSS3ROOT")
                .description("METAFLOW_DATATOOLS_S3ROOT").value("s3://" + datastore.getBucketName() + "/data").build();
        CfnOutput.Builder.create(this, "ForeachTable").key("METAFLOWSFNDYNAMODBTABLE")
                .description("METAFLOW_SFN_DYNAMO_DB_TABLE").value(tables.get(FlowgateResources.SFN_FOREACH.logicalName()).getTableName()).build();
    }

    private static Attribute attribute(TableSpec.KeyAttribute key) {
        AttributeType type = switch (key.kind()) {
            case STRING -> AttributeType.STRING;
            case NUMBER -> AttributeType.NUMBER;
            case BINARY -> AttributeType.BINARY;
        };
        return Attribute.builder().name(key.name()).type(type).build();
    }

    public Bucket datastore() {
        return datastore;
    }

    public Table table(TableSpec spec) {
        return tables.get(spec.logicalName());
    }

    public LustreFileSystem lustre() {
        return lustre;
    }

    public SecurityGroup lustreClients() {
        return lustreClients;
    }
}

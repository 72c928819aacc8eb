package dev.flowgate.infra;

import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcLookupOptions;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * The VPC Batch jobs and FSx live in: private subnets (one NAT gateway for package installs), gateway endpoints
 * for S3 and DynamoDB and interface endpoints for the AWS APIs a Metaflow task and an ECS agent call, so that AWS
 * traffic never leaves the VPC; flow logs on. Or an existing VPC by id (looked up at synth time).
 */
public final class NetworkStack extends Stack {
    private final IVpc vpc;

    public NetworkStack(Construct scope, String id, StackProps props, TeamSettings settings) {
        super(scope, id, props);
        if (settings.existingVpcId().isPresent()) {
            this.vpc = Vpc.fromLookup(this, "Vpc", VpcLookupOptions.builder().vpcId(settings.existingVpcId().get()).build());
            return;
        }
        Vpc created = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr(settings.vpcCidr()))
                .maxAzs(settings.maxAzs())
                .natGateways(1)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build(),
                        SubnetConfiguration.builder().name("private").subnetType(SubnetType.PRIVATE_WITH_EGRESS).cidrMask(19).build()))
                .gatewayEndpoints(Map.of(
                        "S3", GatewayVpcEndpointOptions.builder().service(GatewayVpcEndpointAwsService.S3).build(),
                        "DynamoDb", GatewayVpcEndpointOptions.builder().service(GatewayVpcEndpointAwsService.DYNAMODB).build()))
                .flowLogs(Map.of("All", FlowLogOptions.builder().build()))
                .build();
        Map<String, InterfaceVpcEndpointAwsService> endpoints = Map.of(
                "Ecr", InterfaceVpcEndpointAwsService.ECR, "EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER,
                "Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, "SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
                "Sts", InterfaceVpcEndpointAwsService.STS, "Ecs", InterfaceVpcEndpointAwsService.ECS,
                "EcsAgent", InterfaceVpcEndpointAwsService.ECS_AGENT, "EcsTelemetry", InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
                "ExecuteApi", InterfaceVpcEndpointAwsService.APIGATEWAY);
        endpoints.forEach((name, service) -> created.addInterfaceEndpoint(name, InterfaceVpcEndpointOptions.builder()
                .service(service).privateDnsEnabled(!name.equals("ExecuteApi"))
                .subnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build()).build()));
        this.vpc = created;
    }

    /**
     * The one subnet (so one Availability Zone) FSx for Lustre, the EFA compute environment and its cluster placement
     * group share: training nodes reach the file system without crossing zones.
     */
    public ISubnet trainingSubnet() {
        return vpc.getPrivateSubnets().get(0);
    }

    public IVpc vpc() {
        return vpc;
    }
}

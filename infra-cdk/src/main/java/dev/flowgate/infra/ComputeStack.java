package dev.flowgate.infra;

import dev.flowgate.model.resources.FlowgateResources;

import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.batch.AllocationStrategy;
import software.amazon.awscdk.services.batch.CfnComputeEnvironment;
import software.amazon.awscdk.services.batch.CfnJobQueue;
import software.amazon.awscdk.services.batch.EcsEc2ContainerDefinition;
import software.amazon.awscdk.services.batch.EcsJobDefinition;
import software.amazon.awscdk.services.batch.EcsMachineImage;
import software.amazon.awscdk.services.batch.EcsMachineImageType;
import software.amazon.awscdk.services.batch.JobQueue;
import software.amazon.awscdk.services.batch.ManagedEc2EcsComputeEnvironment;
import software.amazon.awscdk.services.batch.OrderedComputeEnvironment;
import software.amazon.awscdk.services.ec2.CfnLaunchTemplate;
import software.amazon.awscdk.services.ec2.CfnPlacementGroup;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.IMachineImage;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MachineImage;
import software.amazon.awscdk.services.ec2.MultipartBody;
import software.amazon.awscdk.services.ec2.MultipartUserData;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.fsx.LustreFileSystem;
import software.amazon.awscdk.services.iam.CfnInstanceProfile;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AWS Batch for Metaflow steps: managed EC2 compute environments and queues for on-demand and spot
 * (capacity-optimised) work, and an EFA-enabled multi-node GPU environment (on-demand, one instance type, a
 * cluster placement group, EFA network interfaces, a security group open only to itself); every host mounts
 * FSx for Lustre at the configured path. The job role Metaflow tasks run with gets the datastore, the foreach
 * table and nothing else (least privilege).
 */
public final class ComputeStack extends Stack {
    private final Role jobRole;
    private final JobQueue onDemandQueue;

    public ComputeStack(Construct scope, String id, StackProps props, TeamSettings settings, IVpc vpc, IBucket datastore,
                        ITable foreachTable, LustreFileSystem lustre, ISecurityGroup lustreClients, ISubnet trainingSubnet) {
        super(scope, id, props);
        String prefix = settings.resourcePrefix();
        jobRole = Role.Builder.create(this, "JobRole").assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Role Metaflow steps run with on AWS Batch (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)").build();
        datastore.grantReadWrite(jobRole);
        // verified packages (published by the deployer, digest-checked by every container): jobs read them, never write
        jobRole.addToPolicy(PolicyStatement.Builder.create().sid("DenyWritingVerifiedPackages").effect(Effect.DENY)
                .actions(List.of("s3:PutObject*", "s3:DeleteObject*", "s3:Abort*", "s3:RestoreObject", "s3:ReplicateObject"))
                .resources(List.of(datastore.arnForObjects(FlowgateResources.VERIFIED_PACKAGES_PREFIX + "/*"))).build());
        foreachTable.grant(jobRole, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem");

        // Amazon Linux 2023 hosts: the Lustre client from the distribution's repository, then the mount
        List<String> mountCommands = List.of(
                "dnf install -y " + LUSTRE_CLIENT_PACKAGE,
                "mkdir -p " + settings.fsxMountPath(),
                "mount -t lustre -o relatime,flock " + lustre.getDnsName() + "@tcp:/" + lustre.getMountName() + " " + settings.fsxMountPath(),
                "echo '" + lustre.getDnsName() + "@tcp:/" + lustre.getMountName() + " " + settings.fsxMountPath()
                        + " lustre defaults,relatime,flock,_netdev 0 0' >> /etc/fstab");
        UserData mount = UserData.forLinux();
        mount.addCommands(mountCommands.toArray(String[]::new));
        MultipartUserData multipart = new MultipartUserData();
        multipart.addPart(MultipartBody.fromUserData(mount));
        // EFA hosts also get the EFA software (kernel module, libfabric, rdma-core) before anything uses the fabric
        UserData efaSetup = UserData.forLinux();
        efaSetup.addCommands(EFA_INSTALL.toArray(String[]::new));
        efaSetup.addCommands(mountCommands.toArray(String[]::new));
        MultipartUserData efaMultipart = new MultipartUserData();
        efaMultipart.addPart(MultipartBody.fromUserData(efaSetup));
        LaunchTemplate hosts = LaunchTemplate.Builder.create(this, "BatchHosts")
                .launchTemplateName(prefix + "-batch-hosts").userData(multipart).requireImdsv2(true).build();

        SecurityGroup batchSg = SecurityGroup.Builder.create(this, "BatchHostsSg").vpc(vpc)
                .description("Batch hosts: outbound only").allowAllOutbound(true).build();
        // Amazon Linux 2023 ECS-optimized GPU AMI from its SSM parameter, or the team's hardened AMI
        IMachineImage image = settings.hardenedAmiId()
                .map(ami -> MachineImage.genericLinux(Map.of(settings.region(), ami)))
                .orElseGet(() -> MachineImage.fromSsmParameter(settings.amiSsmParameter()));
        String imageId = image.getImage(this).getImageId();
        EcsMachineImage gpuAmi = EcsMachineImage.builder().imageType(EcsMachineImageType.ECS_AL2023).image(image).build();
        SubnetSelection privateSubnets = SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build();

        ManagedEc2EcsComputeEnvironment onDemand = ManagedEc2EcsComputeEnvironment.Builder.create(this, "OnDemand")
                .vpc(vpc).vpcSubnets(privateSubnets).securityGroups(List.of(batchSg, lustreClients))
                .instanceTypes(settings.onDemandInstanceTypes().stream().map(InstanceType::new).toList())
                .useOptimalInstanceClasses(false).maxvCpus(settings.onDemandMaxVcpus()).minvCpus(0)
                .allocationStrategy(AllocationStrategy.BEST_FIT_PROGRESSIVE)
                .launchTemplate(hosts).images(List.of(gpuAmi)).build();
        ManagedEc2EcsComputeEnvironment spot = ManagedEc2EcsComputeEnvironment.Builder.create(this, "Spot")
                .vpc(vpc).vpcSubnets(privateSubnets).securityGroups(List.of(batchSg, lustreClients))
                .instanceTypes(settings.spotInstanceTypes().stream().map(InstanceType::new).toList())
                .useOptimalInstanceClasses(false).maxvCpus(settings.spotMaxVcpus()).minvCpus(0)
                .spot(true).allocationStrategy(AllocationStrategy.SPOT_CAPACITY_OPTIMIZED)
                .launchTemplate(hosts).images(List.of(gpuAmi)).build();
        // the L2 construct knows ECS_AL2023 but not its NVIDIA variant, which AWS Batch accepts as an image type
        for (ManagedEc2EcsComputeEnvironment environment : List.of(onDemand, spot)) {
            ((CfnComputeEnvironment) environment.getNode().getDefaultChild())
                    .addPropertyOverride("ComputeResources.Ec2Configuration.0.ImageType", IMAGE_TYPE);
        }
        onDemandQueue = JobQueue.Builder.create(this, "OnDemandQueue").jobQueueName(prefix + "-on-demand").priority(10)
                .computeEnvironments(List.of(OrderedComputeEnvironment.builder().computeEnvironment(onDemand).order(1).build())).build();
        JobQueue spotQueue = JobQueue.Builder.create(this, "SpotQueue").jobQueueName(prefix + "-spot").priority(5)
                .computeEnvironments(List.of(OrderedComputeEnvironment.builder().computeEnvironment(spot).order(1).build())).build();

        // EFA multi-node GPU: on-demand only (multi-node jobs cannot run on Spot), one instance type in one
        // Availability Zone, cluster placement group, EFA interfaces in the launch template.
        SecurityGroup efaSg = SecurityGroup.Builder.create(this, "EfaSg").vpc(vpc)
                .description("EFA training nodes: all traffic among themselves only").allowAllOutbound(false).build();
        efaSg.addIngressRule(efaSg, Port.allTraffic(), "EFA and NCCL between nodes");
        efaSg.addEgressRule(efaSg, Port.allTraffic(), "EFA and NCCL between nodes");
        efaSg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), "AWS APIs, code package and images");
        efaSg.addEgressRule(Peer.securityGroupId(lustre.getConnections().getSecurityGroups().get(0).getSecurityGroupId()),
                Port.tcpRange(988, 1023), "FSx for Lustre");
        CfnPlacementGroup placement = CfnPlacementGroup.Builder.create(this, "EfaPlacement").strategy("cluster").build();
        // one EFA interface per network card: card 0 is the primary (device 0), every other card device 1
        int cards = EfaInterfaces.of(settings.efaInstanceType()).orElseThrow();
        List<CfnLaunchTemplate.NetworkInterfaceProperty> interfaces = new ArrayList<>();
        for (int card = 0; card < cards; card++) {
            interfaces.add(CfnLaunchTemplate.NetworkInterfaceProperty.builder()
                    .networkCardIndex(card).deviceIndex(card == 0 ? 0 : 1).interfaceType("efa")
                    .groups(List.of(efaSg.getSecurityGroupId(), lustreClients.getSecurityGroupId()))
                    .deleteOnTermination(true).build());
        }
        CfnLaunchTemplate efaTemplate = CfnLaunchTemplate.Builder.create(this, "EfaHosts")
                .launchTemplateName(prefix + "-efa-hosts")
                .launchTemplateData(CfnLaunchTemplate.LaunchTemplateDataProperty.builder()
                        .userData(software.amazon.awscdk.Fn.base64(efaMultipart.render()))
                        .metadataOptions(CfnLaunchTemplate.MetadataOptionsProperty.builder().httpTokens("required").build())
                        .networkInterfaces(interfaces)
                        .build())
                .build();
        Role instanceRole = Role.Builder.create(this, "EfaInstanceRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("service-role/AmazonEC2ContainerServiceforEC2Role")))
                .build();
        CfnInstanceProfile profile = CfnInstanceProfile.Builder.create(this, "EfaInstanceProfile")
                .roles(List.of(instanceRole.getRoleName())).build();
        CfnComputeEnvironment efa = CfnComputeEnvironment.Builder.create(this, "EfaGpu")
                .type("MANAGED")
                .computeResources(CfnComputeEnvironment.ComputeResourcesProperty.builder()
                        .type("EC2").allocationStrategy("BEST_FIT_PROGRESSIVE").minvCpus(0).maxvCpus(settings.efaMaxVcpus())
                        .instanceTypes(List.of(settings.efaInstanceType()))
                        .subnets(List.of(trainingSubnet.getSubnetId()))
                        .placementGroup(placement.getRef())
                        .instanceRole(profile.getAttrArn())
                        .launchTemplate(CfnComputeEnvironment.LaunchTemplateSpecificationProperty.builder()
                                .launchTemplateId(efaTemplate.getRef()).version(efaTemplate.getAttrLatestVersionNumber()).build())
                        .ec2Configuration(List.of(CfnComputeEnvironment.Ec2ConfigurationObjectProperty.builder()
                                .imageType(IMAGE_TYPE).imageIdOverride(imageId).build()))
                        .build())
                .build();
        CfnJobQueue efaQueue = CfnJobQueue.Builder.create(this, "EfaQueue").jobQueueName(prefix + "-efa-gpu").priority(20)
                .computeEnvironmentOrder(List.of(CfnJobQueue.ComputeEnvironmentOrderProperty.builder()
                        .computeEnvironment(efa.getRef()).order(1).build())).build();

        EcsJobDefinition.Builder.create(this, "DefaultJobDefinition").jobDefinitionName(prefix + "-default")
                .container(EcsEc2ContainerDefinition.Builder.create(this, "DefaultContainer")
                        .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.11"))
                        .cpu(1).memory(Size.mebibytes(4096)).jobRole(jobRole).build())
                .build();

        CfnOutput.Builder.create(this, "JobQueueOut").key("METAFLOWBATCHJOBQUEUE").description("METAFLOW_BATCH_JOB_QUEUE")
                .value(onDemandQueue.getJobQueueArn()).build();
        CfnOutput.Builder.create(this, "SpotQueueOut").key("FLOWGATESPOTQUEUE").description("@batch(queue=...) for spot work")
                .value(spotQueue.getJobQueueArn()).build();
        CfnOutput.Builder.create(this, "EfaQueueOut").key("FLOWGATEEFAQUEUE").description("@batch(queue=...) for @parallel EFA training")
                .value(efaQueue.getAttrJobQueueArn()).build();
        CfnOutput.Builder.create(this, "JobRoleOut").key("METAFLOWECSS3ACCESSIAMROLE").description("METAFLOW_ECS_S3_ACCESS_IAM_ROLE")
                .value(jobRole.getRoleArn()).build();
    }

    /** AWS Batch's image type of the Amazon Linux 2023 ECS-optimized GPU AMI. */
    static final String IMAGE_TYPE = "ECS_AL2023_NVIDIA";
    /** The FSx for Lustre client package of Amazon Linux 2023. */
    static final String LUSTRE_CLIENT_PACKAGE = "lustre-client";
    /** The EFA installer (AWS's, latest release) run on EFA hosts; -y answers its prompts. */
    static final List<String> EFA_INSTALL = List.of(
            "curl -fsSL --retry 5 -o /tmp/aws-efa-installer.tar.gz https://efa-installer.amazonaws.com/aws-efa-installer-latest.tar.gz",
            "tar -xf /tmp/aws-efa-installer.tar.gz -C /tmp",
            "(cd /tmp/aws-efa-installer && ./efa_installer.sh -y)",
            "rm -rf /tmp/aws-efa-installer /tmp/aws-efa-installer.tar.gz");

    public Role jobRole() {
        return jobRole;
    }

    public JobQueue onDemandQueue() {
        return onDemandQueue;
    }
}

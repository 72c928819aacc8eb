package dev.flowgate.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Compute a GPU team can use, asserted on the synthesized templates: Amazon Linux 2023 ECS-optimized GPU AMIs (from
 * the SSM parameter, or the team's hardened AMI), one EFA interface per network card of the EFA instance type, the
 * EFA software and the Lustre client installed by the launch templates, and FSx with the EFA environment in one subnet.
 */
class ComputeStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static JsonNode compute;
    static JsonNode data;
    static JsonNode hardenedP5;

    @BeforeAll
    static void synthesize() throws Exception {
        String example = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        FlowgateApp.Stacks stacks = FlowgateApp.build(new App(), TeamSettings.parse(example), Path.of("src/test/resources"));
        compute = JSON.valueToTree(Template.fromStack(stacks.compute()).toJSON());
        data = JSON.valueToTree(Template.fromStack(stacks.data()).toJSON());
        String hardened = example.replace("\"hardenedAmiId\": null", "\"hardenedAmiId\": \"ami-0123456789abcdef0\"")
                .replace("\"efaInstanceType\": \"p4d.24xlarge\"", "\"efaInstanceType\": \"p5.48xlarge\"");
        hardenedP5 = JSON.valueToTree(Template.fromStack(FlowgateApp.build(new App(), TeamSettings.parse(hardened),
                Path.of("src/test/resources")).compute()).toJSON());
    }

    @Test
    void everyComputeEnvironment_runsTheAmazonLinux2023GpuAmi_fromItsSsmParameter() {
        List<JsonNode> environments = resources(compute, "AWS::Batch::ComputeEnvironment");
        assertThat(environments).hasSize(3).allSatisfy(ce -> {
            JsonNode ec2 = ce.path("Properties").path("ComputeResources").path("Ec2Configuration").path(0);
            assertThat(ec2.path("ImageType").asText()).isEqualTo("ECS_AL2023_NVIDIA");
            String parameter = ec2.path("ImageIdOverride").path("Ref").asText();
            assertThat(compute.path("Parameters").path(parameter).path("Default").asText())
                    .isEqualTo("/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id");
        });
        assertThat(compute.path("Parameters").toString()).doesNotContain("amazon-linux-2/");
    }

    @Test
    void aHardenedAmi_replacesTheSsmParameterEverywhere() {
        assertThat(resources(hardenedP5, "AWS::Batch::ComputeEnvironment")).hasSize(3).allSatisfy(ce ->
                assertThat(ce.path("Properties").path("ComputeResources").path("Ec2Configuration").path(0)
                        .path("ImageIdOverride").asText()).isEqualTo("ami-0123456789abcdef0"));
        assertThat(hardenedP5.path("Parameters").toString()).doesNotContain("optimized-ami");
    }

    @Test
    void theEfaLaunchTemplate_attachesOneEfaPerNetworkCard() {
        assertThat(efaInterfaces(compute)).hasSize(4);
        List<JsonNode> p5 = efaInterfaces(hardenedP5);
        assertThat(p5).hasSize(32);
        for (int card = 0; card < p5.size(); card++) {
            JsonNode nic = p5.get(card);
            assertThat(nic.path("NetworkCardIndex").asInt()).isEqualTo(card);
            assertThat(nic.path("DeviceIndex").asInt()).isEqualTo(card == 0 ? 0 : 1);
            assertThat(nic.path("InterfaceType").asText()).isEqualTo("efa");
        }
    }

    @Test
    void efaHostsInstallTheEfaSoftware_andEveryHostTheLustreClientOfAmazonLinux2023() {
        String efa = userData("flowgate-efa-hosts");
        assertThat(efa).contains("aws-efa-installer-latest.tar.gz", "./efa_installer.sh -y", "dnf install -y lustre-client",
                "mount -t lustre");
        assertThat(efa.indexOf("efa_installer.sh")).isLessThan(efa.indexOf("mount -t lustre"));
        String hosts = userData("flowgate-batch-hosts");
        assertThat(hosts).contains("dnf install -y lustre-client", "mount -t lustre").doesNotContain("amazon-linux-extras")
                .doesNotContain("efa_installer");
    }

    @Test
    void fsxTheEfaEnvironmentAndItsPlacementGroup_shareOneSubnet() {
        JsonNode fsx = resources(data, "AWS::FSx::FileSystem").get(0).path("Properties").path("SubnetIds");
        JsonNode efa = resources(compute, "AWS::Batch::ComputeEnvironment").stream()
                .filter(ce -> ce.path("Properties").path("ComputeResources").has("PlacementGroup")).findFirst().orElseThrow()
                .path("Properties").path("ComputeResources");
        assertThat(fsx).hasSize(1);
        assertThat(efa.path("Subnets")).hasSize(1);
        String fsxSubnet = fsx.get(0).path("Fn::ImportValue").asText();
        assertThat(fsxSubnet).contains("Subnet");
        assertThat(efa.path("Subnets").get(0).path("Fn::ImportValue").asText()).isEqualTo(fsxSubnet);
        assertThat(efa.path("PlacementGroup").toString()).contains("EfaPlacement");
        assertThat(resources(compute, "AWS::EC2::PlacementGroup")).singleElement()
                .satisfies(pg -> assertThat(pg.path("Properties").path("Strategy").asText()).isEqualTo("cluster"));
    }

    @Test
    void anEfaInstanceTypeOutsideTheTable_failsNamingTheKey() throws Exception {
        String json = Files.readString(Path.of("teams/example.json")).replace("\"p4d.24xlarge\"", "\"m5.large\"");
        assertThatThrownBy(() -> TeamSettings.parse(json)).isInstanceOf(TeamSettings.InvalidSettings.class)
                .hasMessageContaining("batch.efaInstanceType 'm5.large' is not in the EFA table")
                .hasMessageContaining("p5.48xlarge");
        String badAmi = Files.readString(Path.of("teams/example.json")).replace("\"hardenedAmiId\": null", "\"hardenedAmiId\": \"ubuntu\"");
        assertThatThrownBy(() -> TeamSettings.parse(badAmi)).hasMessageContaining("batch.hardenedAmiId must be an AMI id");
    }

    private static List<JsonNode> efaInterfaces(JsonNode template) {
        List<JsonNode> out = new ArrayList<>();
        resources(template, "AWS::EC2::LaunchTemplate").stream()
                .filter(lt -> lt.path("Properties").path("LaunchTemplateName").asText().endsWith("-efa-hosts"))
                .findFirst().orElseThrow().path("Properties").path("LaunchTemplateData").path("NetworkInterfaces").forEach(out::add);
        return out;
    }

    /** The literal text of a launch template's user data (tokens left out). */
    private static String userData(String name) {
        JsonNode lt = resources(compute, "AWS::EC2::LaunchTemplate").stream()
                .filter(t -> t.path("Properties").path("LaunchTemplateName").asText().equals(name)).findFirst().orElseThrow();
        StringBuilder text = new StringBuilder();
        appendText(lt.path("Properties").path("LaunchTemplateData").path("UserData"), text);
        return text.toString();
    }

    private static void appendText(JsonNode node, StringBuilder text) {
        if (node.isTextual()) {
            text.append(node.asText());
        } else {
            node.forEach(child -> appendText(child, text));
        }
    }

    private static List<JsonNode> resources(JsonNode template, String type) {
        List<JsonNode> out = new ArrayList<>();
        template.path("Resources").properties().stream().map(Map.Entry::getValue)
                .filter(r -> r.path("Type").asText().equals(type)).forEach(out::add);
        return out;
    }
}

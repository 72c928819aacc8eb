package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every argument of {@code @batch} and {@code @resources} reaches the step's container as Metaflow 2.19 puts it there
 * ({@code compute_resource_attributes}, {@code BatchJob.cpu/memory/gpu} and {@code _register_job_definition} on an
 * EC2 compute environment); e2e/test_compiler_vs_metaflow.py compares the merged result with Metaflow's own output.
 */
class BatchContainerTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/batch-job";

    private static CompiledFlow compile(String startDecorators) {
        return compile(startDecorators, Map.of());
    }

    private static CompiledFlow compile(String startDecorators, Map<String, String> extraSettings) {
        String source = """
                from metaflow import FlowSpec, step, resources, batch, environment


                class JobFlow(FlowSpec):
                    %s
                    @step
                    def start(self):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """.formatted(startDecorators);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("METAFLOW_DATASTORE_SYSROOT_S3", "s3://test-datastore/metaflow");
        config.put("METAFLOW_SERVICE_URL", "https://metadata.example.com");
        config.put("METAFLOW_BATCH_JOB_QUEUE", "default-queue");
        config.put("METAFLOW_BATCH_CONTAINER_IMAGE", "python:3.11");
        config.put("METAFLOW_ECS_S3_ACCESS_IAM_ROLE", ROLE);
        config.putAll(extraSettings);
        return FlowCompiler.compile(FlowCompiler.parse("flows/job_flow.py", source), CompileOptions.builder()
                .settings(DeploymentSettings.fromConfig(config)).codePackageUrl("s3://test-datastore/metaflow/JobFlow/data/ab/abc")
                .codePackageSha("abc").production(true).productionToken("token").owner("ci").build());
    }

    /** The start step's state. */
    private static JsonNode start(CompiledFlow compiled) {
        return FlowgateJson.parse(compiled.definitionJson()).at("/States/start");
    }

    /** The containerProperties of the start step's job definition. */
    private static JsonNode container(CompiledFlow compiled) {
        String name = start(compiled).at("/Parameters/JobDefinition").asText();
        return FlowgateJson.parse(compiled.jobDefinitions().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow().registrationJson()).get("containerProperties");
    }

    /** VCPU, GPU, MEMORY of the start step's overrides. */
    private static Map<String, String> requirements(String decorators) {
        Map<String, String> result = new LinkedHashMap<>();
        start(compile(decorators)).at("/Parameters/ContainerOverrides/ResourceRequirements")
                .forEach(r -> result.put(r.get("Type").asText(), r.get("Value").asText()));
        return result;
    }

    private static Map<String, String> overridesEnvironment(CompiledFlow compiled) {
        Map<String, String> env = new LinkedHashMap<>();
        start(compiled).at("/Parameters/ContainerOverrides/Environment")
                .forEach(e -> env.put(e.get("Name").asText(), e.path("Value").asText(e.path("Value.$").asText())));
        return env;
    }

    @Test
    void batchMemoryWithoutResources_keepsTheValueGiven_notTheDefault4096() {
        assertThat(requirements("@batch(memory=2048)")).containsExactly(Map.entry("VCPU", "1"), Map.entry("MEMORY", "2048"));
        assertThat(requirements("@batch(cpu=0.5, memory=\"1024\")")).containsExactly(Map.entry("VCPU", "0.5"), Map.entry("MEMORY", "1024"));
    }

    @Test
    void batchWithResources_takesTheLargerValue_resourcesDefaultsCounting() {
        assertThat(requirements("@resources(cpu=2)\n    @batch(memory=2048)"))
                .as("@resources' default memory 4096 is set, so it is the larger")
                .containsExactly(Map.entry("VCPU", "2"), Map.entry("MEMORY", "4096"));
        assertThat(requirements("@resources(memory=None)\n    @batch(memory=2048)")).containsEntry("MEMORY", "2048");
        assertThat(requirements("@resources(memory=8192, gpu=1)\n    @batch(memory=16000, cpu=3, gpu=2)"))
                .containsExactly(Map.entry("VCPU", "3"), Map.entry("GPU", "2"), Map.entry("MEMORY", "16000"));
        assertThat(requirements("@resources(cpu=0.25)\n    @batch(cpu=0.1)")).containsEntry("VCPU", "0.25");
        assertThat(requirements("@batch(cpu=1234567)")).as("printf %g, as Metaflow").containsEntry("VCPU", "1.23457e+06");
    }

    @Test
    void sharedMemory_isTheLargerOfBatchAndResources() {
        assertThat(container(compile("@resources(shared_memory=4096)\n    @batch(shared_memory=1024)")).at("/linuxParameters/sharedMemorySize").asInt())
                .isEqualTo(4096);
        assertThat(container(compile("@batch(shared_memory=\"512\")")).at("/linuxParameters/sharedMemorySize").asInt()).isEqualTo(512);
    }

    @Test
    void resourcesAndBatchDisagreeingOnAValueThatIsNotANumber_areRefusedAsInMetaflow() {
        assertThatThrownBy(() -> compile("@resources(memory=\"big\")\n    @batch(memory=\"huge\")"))
                .hasMessageContaining("step 'start'").hasMessageContaining("conflict");
        assertThatThrownBy(() -> compile("@batch(cpu=0)")).hasMessageContaining("@batch(cpu=0) must be greater than 0");
    }

    @Test
    void maxSwapAndSwappiness_areInTheLinuxParameters() {
        JsonNode linux = container(compile("@batch(max_swap=2048, swappiness=60)")).get("linuxParameters");
        assertThat(linux.get("maxSwap").asInt()).isEqualTo(2048);
        assertThat(linux.get("swappiness").asInt()).isEqualTo(60);
        assertThat(container(compile("@batch(swappiness=0, max_swap=\"0\")")).get("linuxParameters").get("swappiness").asInt()).isZero();
        assertThatThrownBy(() -> compile("@batch(swappiness=100)")).hasMessageContaining("swappiness=100");
        assertThatThrownBy(() -> compile("@batch(max_swap=1.5)")).hasMessageContaining("max_swap=1.5) must be a whole number");
    }

    @Test
    void useTmpfs_mountsHalfTheMemoryAtTheDefaultPath_andPointsMetaflowTempdirThere() {
        CompiledFlow compiled = compile("@batch(memory=8192, use_tmpfs=True)");
        assertThat(container(compiled).at("/linuxParameters/tmpfs")).hasSize(1);
        JsonNode mount = container(compiled).at("/linuxParameters/tmpfs/0");
        assertThat(mount.get("containerPath").asText()).isEqualTo("/metaflow_temp");
        assertThat(mount.get("size").asLong()).isEqualTo(4096);
        assertThat(mount.get("mountOptions").get(0).asText()).isEqualTo("defaults");
        assertThat(overridesEnvironment(compiled)).containsEntry("METAFLOW_TEMPDIR", "/metaflow_temp");
    }

    @Test
    void tmpfsSizeAlone_enablesTheMount_atItsPath_andTmpfsTempdirFalse_leavesTheTempdirAlone() {
        CompiledFlow sized = compile("@batch(tmpfs_size=1000, tmpfs_path=\"/scratch\")");
        assertThat(container(sized).at("/linuxParameters/tmpfs/0/size").asLong()).isEqualTo(1000);
        assertThat(container(sized).at("/linuxParameters/tmpfs/0/containerPath").asText()).isEqualTo("/scratch");
        assertThat(overridesEnvironment(sized)).containsEntry("METAFLOW_TEMPDIR", "/scratch");
        CompiledFlow noTempdir = compile("@batch(use_tmpfs=True, tmpfs_tempdir=False)");
        assertThat(container(noTempdir).at("/linuxParameters/tmpfs/0/size").asLong()).isEqualTo(2048);
        assertThat(overridesEnvironment(noTempdir)).doesNotContainKey("METAFLOW_TEMPDIR");
        assertThat(container(compile("@batch(tmpfs_path=\"/x\")")).at("/linuxParameters").has("tmpfs")).isFalse();
        assertThatThrownBy(() -> compile("@batch(use_tmpfs=True, tmpfs_path=\"scratch\")")).hasMessageContaining("absolute path");
    }

    @Test
    void userEnvironmentCannotReplaceTheTmpfsTempdir() {
        CompiledFlow compiled = compile("@environment(vars={\"METAFLOW_TEMPDIR\": \"/elsewhere\"})\n    @batch(use_tmpfs=True)");
        assertThat(overridesEnvironment(compiled)).containsEntry("METAFLOW_TEMPDIR", "/metaflow_temp");
    }

    @Test
    void inferentia_andItsAliasTrainium_addTheNeuronDevices() {
        JsonNode devices = container(compile("@batch(inferentia=2)")).at("/linuxParameters/devices");
        assertThat(devices.findValuesAsText("hostPath")).containsExactly("/dev/neuron0", "/dev/neuron1");
        assertThat(devices.findValuesAsText("containerPath")).containsExactly("/dev/neuron0", "/dev/neuron1");
        assertThat(devices.get(0).get("permissions").toString()).isEqualTo("[\"READ\",\"WRITE\"]");
        assertThat(container(compile("@batch(trainium=1)")).at("/linuxParameters/devices").findValuesAsText("hostPath"))
                .containsExactly("/dev/neuron0");
        assertThatThrownBy(() -> compile("@batch(inferentia=1, trainium=1)")).hasMessageContaining("only one of inferentia= and trainium=");
        JsonNode both = container(compile("@batch(inferentia=1, efa=1)")).at("/linuxParameters/devices");
        assertThat(both.findValuesAsText("hostPath")).containsExactly("/dev/neuron0", "/dev/infiniband/uverbs0");
    }

    @Test
    void efsVolumes_areMountedWithTransitEncryption_underMntOrTheGivenPath() {
        JsonNode container = container(compile("@batch(efs_volumes=[\"fs-0123\", \"fs-4567:/data\"], host_volumes=\"/scratch\")"));
        assertThat(container.get("volumes").toString()).isEqualTo("[{\"name\":\"scratch\",\"host\":{\"sourcePath\":\"/scratch\"}},"
                + "{\"name\":\"efs_fs-0123\",\"efsVolumeConfiguration\":{\"fileSystemId\":\"fs-0123\",\"transitEncryption\":\"ENABLED\"}},"
                + "{\"name\":\"efs_fs-4567\",\"efsVolumeConfiguration\":{\"fileSystemId\":\"fs-4567\",\"transitEncryption\":\"ENABLED\"}}]");
        assertThat(container.get("mountPoints").toString()).isEqualTo("[{\"sourceVolume\":\"scratch\",\"containerPath\":\"/scratch\"},"
                + "{\"sourceVolume\":\"efs_fs-0123\",\"containerPath\":\"/mnt/fs-0123\"},"
                + "{\"sourceVolume\":\"efs_fs-4567\",\"containerPath\":\"/data\"}]");
    }

    @Test
    void iamRole_isTheStepsJobRole_otherStepsKeepTheDefault() {
        CompiledFlow compiled = compile("@batch(iam_role=\"arn:aws:iam::123456789012:role/trainer\")");
        assertThat(container(compiled).get("jobRoleArn").asText()).isEqualTo("arn:aws:iam::123456789012:role/trainer");
        String endDefinition = FlowgateJson.parse(compiled.definitionJson()).at("/States/end/Parameters/JobDefinition").asText();
        assertThat(compiled.jobDefinitions().stream().filter(d -> d.name().equals(endDefinition)).findFirst().orElseThrow()
                .registrationJson()).contains("\"jobRoleArn\":\"" + ROLE + "\"");
    }

    @Test
    void privilegedAndTheLogConfiguration_areInTheContainerProperties() {
        JsonNode container = container(compile("@batch(privileged=True, log_driver=\"awslogs\",\n"
                + "           log_options=[\"awslogs-group:aws/batch/job\", \"awslogs-stream-prefix:a:b\"])"));
        assertThat(container.get("privileged").asBoolean()).isTrue();
        assertThat(container.get("logConfiguration").toString()).isEqualTo(
                "{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":\"aws/batch/job\",\"awslogs-stream-prefix\":\"a:b\"}}");
        assertThat(container(compile("@batch(log_driver=\"json-file\")")).get("logConfiguration").toString())
                .isEqualTo("{\"logDriver\":\"json-file\"}");
        JsonNode plain = container(compile("@batch(privileged=False)"));
        assertThat(plain.has("privileged")).isFalse();
        assertThat(plain.has("logConfiguration")).isFalse();
        assertThatThrownBy(() -> compile("@batch(log_options=\"a:b\")")).hasMessageContaining("needs log_driver=");
        assertThatThrownBy(() -> compile("@batch(log_driver=\"awslogs\", log_options=[\"novalue\"])"))
                .hasMessageContaining("\"key:value\"");
    }

    @Test
    void fargateOnlySettings_executionRoleIsIgnoredOnEc2_ephemeralStorageIsRefused() {
        assertThat(container(compile("@batch(execution_role=\"arn:aws:iam::1:role/x\")")).toString()).doesNotContain("role/x");
        assertThatThrownBy(() -> compile("@batch(ephemeral_storage=50)")).hasMessageContaining("ephemeral_storage=50")
                .hasMessageContaining("Fargate");
    }

    @Test
    void aStepWithoutSettings_getsTheSameJobDefinitionAsBefore() {
        JsonNode container = container(compile(""));
        assertThat(container.get("linuxParameters").size()).isZero();
        assertThat(container.has("volumes")).isFalse();
        assertThat(container.has("privileged")).isFalse();
    }

    @Test
    void imagesWithoutARegistry_getTheConfiguredOne_fromTheSettingsAndFromBatchImage_asInMetaflow() {
        Map<String, String> registry = Map.of("METAFLOW_BATCH_CONTAINER_REGISTRY", "123456789012.dkr.ecr.us-east-1.amazonaws.com/");
        assertThat(container(compile("", registry)).get("image").asText())
                .isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com/python:3.11");
        assertThat(container(compile("@batch(image=\"team/train:7\")", registry)).get("image").asText())
                .as("a name with a slash but no registry host still gets the registry")
                .isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/train:7");
        assertThat(container(compile("@batch(image=\"ghcr.io/team/train:7\")", registry)).get("image").asText())
                .isEqualTo("ghcr.io/team/train:7");
        assertThat(container(compile("@batch(image=\"localhost:5000/train\")", registry)).get("image").asText())
                .isEqualTo("localhost:5000/train");
        assertThat(container(compile("@batch(image=\"team/train:7\")")).get("image").asText()).isEqualTo("team/train:7");
    }

    @Test
    void awsBatchTags_areCheckedAsMetaflowChecksThem_andChangeNoContainer() {
        assertThat(compile("@batch(aws_batch_tags={\"team\": \"ranking\"})").jobDefinitions())
                .isEqualTo(compile("@batch()").jobDefinitions());
        assertThatThrownBy(() -> compile("@batch(aws_batch_tags={\"aws:team\": \"x\"})")).hasMessageContaining("'aws:'");
        assertThatThrownBy(() -> compile("@batch(aws_batch_tags={\"team\": 3})")).hasMessageContaining("dict of string tags");
        assertThatThrownBy(() -> compile("@batch(aws_batch_tags=[\"team\"])")).hasMessageContaining("dict of string tags");
        assertThatThrownBy(() -> compile("@batch(aws_batch_tags={\"team\": \"" + "x".repeat(257) + "\"})"))
                .hasMessageContaining("over 256");
        assertThatThrownBy(() -> compile("@batch(aws_batch_tags={\"#team\": \"x\"})")).hasMessageContaining("does not accept");
    }

    @Test
    void cpuText_isPrintfG() {
        assertThat(BatchContainer.cpuText(4.0)).isEqualTo("4");
        assertThat(BatchContainer.cpuText(0.1)).isEqualTo("0.1");
        assertThat(BatchContainer.cpuText(2.5)).isEqualTo("2.5");
        assertThat(BatchContainer.cpuText(0.00001)).isEqualTo("1e-05");
        assertThat(BatchContainer.cpuText(96)).isEqualTo("96");
    }
}

package dev.flowgate.deployer.adapter;

import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.deployer.port.FlowCompiler.JobDefinition;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.ContainerProperties;
import software.amazon.awssdk.services.batch.model.Device;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request the registry sends keeps every setting the compiler put into a job definition: the compiler's JSON is
 * read into the SDK's builder, so a field the builder did not know would be lost there (or refused).
 */
class BatchJobDefinitionRegistryTest {
    private static final String FLOW = """
            from metaflow import FlowSpec, step, batch


            class EveryBatchSettingFlow(FlowSpec):
                @batch(
                    memory=8192,
                    iam_role="arn:aws:iam::123456789012:role/trainer",
                    shared_memory=1024,
                    max_swap=2048,
                    swappiness=30,
                    inferentia=1,
                    efa=1,
                    host_volumes=["/scratch"],
                    efs_volumes=["fs-0123:/data"],
                    use_tmpfs=True,
                    tmpfs_path="/fast",
                    privileged=True,
                    log_driver="awslogs",
                    log_options=["awslogs-group:aws/batch/job"],
                )
                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;

    @Test
    void request_keepsEverySettingOfTheCompiledDefinition() {
        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse("flows/every.py", FLOW), CompileOptions.builder()
                .settings(DeploymentSettings.fromConfig(Map.of("METAFLOW_DATASTORE_SYSROOT_S3", "s3://test-datastore/metaflow",
                        "METAFLOW_SERVICE_URL", "https://metadata.example.com", "METAFLOW_BATCH_JOB_QUEUE", "q",
                        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/default")))
                .codePackageUrl("s3://test-datastore/metaflow/EveryBatchSettingFlow/data/ab/abc").codePackageSha("abc").production(true)
                .build());
        CompiledFlow.JobDefinition start = compiled.jobDefinitions().stream()
                .filter(d -> d.registrationJson().contains("role/trainer")).findFirst().orElseThrow();

        RegisterJobDefinitionRequest request = BatchJobDefinitionRegistry.request(new JobDefinition(start.name(), start.registrationJson()));

        ContainerProperties container = request.containerProperties();
        assertThat(container.jobRoleArn()).isEqualTo("arn:aws:iam::123456789012:role/trainer");
        assertThat(container.privileged()).isTrue();
        assertThat(container.logConfiguration().logDriverAsString()).isEqualTo("awslogs");
        assertThat(container.logConfiguration().options()).containsExactly(Map.entry("awslogs-group", "aws/batch/job"));
        assertThat(container.linuxParameters().sharedMemorySize()).isEqualTo(1024);
        assertThat(container.linuxParameters().maxSwap()).isEqualTo(2048);
        assertThat(container.linuxParameters().swappiness()).isEqualTo(30);
        assertThat(container.linuxParameters().devices()).extracting(Device::hostPath)
                .containsExactly("/dev/neuron0", "/dev/infiniband/uverbs0");
        assertThat(container.linuxParameters().devices().get(0).permissionsAsStrings()).containsExactly("READ", "WRITE");
        assertThat(container.linuxParameters().tmpfs()).singleElement().satisfies(t -> {
            assertThat(t.containerPath()).isEqualTo("/fast");
            assertThat(t.size()).isEqualTo(4096);
            assertThat(t.mountOptions()).containsExactly("defaults");
        });
        assertThat(container.volumes()).hasSize(2);
        assertThat(container.volumes().get(0).host().sourcePath()).isEqualTo("/scratch");
        assertThat(container.volumes().get(1).efsVolumeConfiguration().fileSystemId()).isEqualTo("fs-0123");
        assertThat(container.volumes().get(1).efsVolumeConfiguration().transitEncryptionAsString()).isEqualTo("ENABLED");
        assertThat(container.mountPoints()).extracting(m -> m.sourceVolume() + "->" + m.containerPath())
                .containsExactly("scratch->/scratch", "efs_fs-0123->/data");
        assertThat(container.environment()).isNotEmpty();
        assertThat(request.propagateTags()).isTrue();
    }
}

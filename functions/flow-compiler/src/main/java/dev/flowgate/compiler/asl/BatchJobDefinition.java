package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.compiler.CompiledFlow;
import dev.flowgate.model.json.FlowgateJson;

import java.util.Map;
import java.util.Optional;

/**
 * The RegisterJobDefinition request of a step's container, with the settings Metaflow 2.19's
 * {@code BatchJob._register_job_definition} registers for an EC2 compute environment — job role, privileged mode,
 * log configuration, shared memory, swappiness, max swap, Inferentia and EFA devices, tmpfs, host and EFS volumes —
 * plus the environment every step of the deployment shares (Metaflow puts it in each state's overrides instead).
 * The name is content-addressed ({@code flowgate_<sha224>}), so registering an unchanged definition is a no-op.
 * Differences from Metaflow's bytes, none changing the container: an EFA device of a single-node job carries its
 * container path and permissions, and host volume names drop Metaflow's leading {@code _}.
 */
final class BatchJobDefinition {
    private static final ObjectMapper JSON = FlowgateJson.mapper();

    private BatchJobDefinition() {
    }

    /** The definition of a container job ({@code nodes} 0) or of a multi-node job of {@code nodes} nodes. */
    static CompiledFlow.JobDefinition of(BatchContainer spec, Map<String, String> sharedEnvironment,
                                         Optional<DeploymentSettings.JobSecret> serviceAuthKey, int nodes) {
        ObjectNode container = container(spec, sharedEnvironment, serviceAuthKey);
        ObjectNode request = JSON.createObjectNode();
        if (nodes > 0) {
            request.put("type", "multinode");
            ObjectNode nodeProperties = request.putObject("nodeProperties");
            nodeProperties.put("numNodes", nodes);
            nodeProperties.put("mainNode", 0);
            ArrayNode ranges = nodeProperties.putArray("nodeRangeProperties");
            ranges.addObject().put("targetNodes", "0:0").set("container", container);
            if (nodes > 1) {
                ranges.addObject().put("targetNodes", "1:" + (nodes - 1)).set("container", container.deepCopy());
            }
        } else {
            request.put("type", "container");
            request.set("containerProperties", container);
        }
        request.put("propagateTags", true);
        String name = "flowgate_" + StateMachineGenerator.sha224(FlowgateJson.write(request)).substring(0, 32);
        request.put("jobDefinitionName", name);
        return new CompiledFlow.JobDefinition(name, FlowgateJson.write(request));
    }

    private static ObjectNode container(BatchContainer spec, Map<String, String> sharedEnvironment,
                                        Optional<DeploymentSettings.JobSecret> serviceAuthKey) {
        ObjectNode container = JSON.createObjectNode();
        container.put("image", spec.image());
        container.put("jobRoleArn", spec.jobRole());
        container.putArray("command").add("echo").add("hello world");
        ArrayNode environment = container.putArray("environment");
        sharedEnvironment.forEach((name, value) -> environment.addObject().put("name", name).put("value", value));
        serviceAuthKey.ifPresent(key -> {
            // the metadata API key by reference: Batch resolves it when the job starts; the value is in no definition
            container.put("executionRoleArn", key.executionRole());
            container.putArray("secrets").addObject().put("name", "METAFLOW_SERVICE_AUTH_KEY").put("valueFrom", key.secretArn());
        });
        // the overrides of every submission replace these (Metaflow registers the same placeholders)
        ArrayNode req = container.putArray("resourceRequirements");
        req.addObject().put("value", "1").put("type", "VCPU");
        req.addObject().put("value", "4096").put("type", "MEMORY");
        if (spec.privileged()) {
            container.put("privileged", true);
        }
        if (spec.logDriver().isPresent() || !spec.logOptions().isEmpty()) {
            ObjectNode log = container.putObject("logConfiguration");
            spec.logDriver().ifPresent(driver -> log.put("logDriver", driver));
            if (!spec.logOptions().isEmpty()) {
                ObjectNode options = log.putObject("options");
                spec.logOptions().forEach(options::put);
            }
        }
        ObjectNode linux = container.putObject("linuxParameters");
        spec.sharedMemory().ifPresent(size -> linux.put("sharedMemorySize", size));
        spec.swappiness().ifPresent(value -> linux.put("swappiness", value));
        spec.maxSwap().ifPresent(value -> linux.put("maxSwap", value));
        if (spec.inferentia() > 0 || spec.efa() > 0) {
            ArrayNode devices = linux.putArray("devices");
            for (int i = 0; i < spec.inferentia(); i++) {
                ObjectNode device = devices.addObject();
                device.put("containerPath", "/dev/neuron" + i);
                device.put("hostPath", "/dev/neuron" + i);
                device.putArray("permissions").add("READ").add("WRITE");
            }
            for (int i = 0; i < spec.efa(); i++) {
                ObjectNode device = devices.addObject();
                device.put("hostPath", "/dev/infiniband/uverbs" + i);
                device.put("containerPath", "/dev/infiniband/uverbs" + i);
                device.putArray("permissions").add("READ").add("WRITE").add("MKNOD");
            }
        }
        spec.tmpfs().ifPresent(tmpfs -> linux.putArray("tmpfs").addObject()
                .put("containerPath", tmpfs.path())
                .put("size", tmpfs.sizeMiB())
                .set("mountOptions", JSON.createArrayNode().add("defaults")));
        if (!spec.hostVolumes().isEmpty() || !spec.efsVolumes().isEmpty()) {
            ArrayNode volumes = container.putArray("volumes");
            ArrayNode mounts = container.putArray("mountPoints");
            for (String volume : spec.hostVolumes()) {
                String[] parts = volume.split(":", 2);
                String host = parts[0];
                String target = parts.length > 1 ? parts[1] : parts[0];
                String name = host.replaceAll("[^A-Za-z0-9_-]", "_").replaceAll("^_+", "");
                volumes.addObject().put("name", name).putObject("host").put("sourcePath", host);
                mounts.addObject().put("sourceVolume", name).put("containerPath", target);
            }
            for (String volume : spec.efsVolumes()) {
                String[] parts = volume.split(":", 2);
                String fileSystem = parts[0];
                String target = parts.length > 1 ? parts[1] : "/mnt/" + fileSystem;
                String name = "efs_" + fileSystem;
                volumes.addObject().put("name", name).putObject("efsVolumeConfiguration")
                        .put("fileSystemId", fileSystem).put("transitEncryption", "ENABLED");
                mounts.addObject().put("sourceVolume", name).put("containerPath", target);
            }
        }
        return container;
    }
}

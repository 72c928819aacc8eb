package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code --with 'batch:…'} option Metaflow's {@code step-functions create} puts on the {@code init} and
 * {@code step} commands of every step that has no {@code @batch} in the file: the {@code @batch} decorator it
 * attached, with the attributes it resolved at deploy time (cpu, gpu and memory from {@code @resources} or the
 * defaults, the image, queue and IAM role from the configuration, then the decorator's remaining non-null
 * defaults), printed in the decorator's attribute order as Metaflow's {@code make_decorator_spec} prints them and
 * quoted as Python's {@code shlex.quote} quotes them. Inside the container Metaflow parses this spec back, so the
 * step's {@code @batch} sees the same values it was deployed with. A step with {@code @batch} in the file gets no
 * option: the container reads the decorator from the code package.
 */
final class BatchDecoratorSpec {
    /** Characters {@code shlex.quote} leaves unquoted. */


    private BatchDecoratorSpec() {
    }

    /** The option for the step's commands, or empty when the step declares {@code @batch} itself. */
    static Optional<String> option(StepNode node, DeploymentSettings settings) {
        if (node.has("batch")) {
            return Optional.empty();
        }
        return Optional.of("--with " + shellQuote("batch:" + attributes(node.decorator("resources"), settings)));
    }

    /** {@code cpu=1,gpu=0,memory=4096,image=…,queue=…,iam_role=…,…} in the order of Metaflow's batch defaults. */
    static String attributes(Optional<Decorator> resources, DeploymentSettings settings) {
        Map<String, String> resolved = BatchContainer.resourceAttributes(Optional.empty(), resources);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("cpu", resolved.get("cpu"));
        attributes.put("gpu", resolved.get("gpu"));
        attributes.put("memory", resolved.get("memory"));
        attributes.put("image", settings.image());
        attributes.put("queue", settings.jobQueue());
        attributes.put("iam_role", settings.jobRole());
        settings.fargateExecutionRole().ifPresent(role -> attributes.put("execution_role", role));
        if (resolved.containsKey("shared_memory")) {
            attributes.put("shared_memory", resolved.get("shared_memory"));
        }
        attributes.put("use_tmpfs", "False");
        attributes.put("aws_batch_tags", PythonJson.dumps(settings.batchDefaultTags()).replace("\"", "\\\""));
        attributes.put("tmpfs_tempdir", "True");
        attributes.put("tmpfs_path", "/metaflow_temp");
        attributes.put("privileged", "False");
        StringBuilder spec = new StringBuilder();
        attributes.forEach((name, value) -> spec.append(spec.isEmpty() ? "" : ",").append(name).append('=').append(value));
        return spec.toString();
    }

    /** Python's {@code shlex.quote} ({@link ShellQuote}). */
    static String shellQuote(String value) {
        return ShellQuote.quote(value);
    }
}

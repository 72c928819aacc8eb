package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how compiled steps run, read from the same keys as a Metaflow config file
 * ({@code ~/.metaflowconfig/config.json}), with or without the {@code METAFLOW_} prefix.
 *
 * @param forwardedEnvironment settings Metaflow 2.19's Batch layer ({@code batch.py} {@code create_job}) passes from
 *                             the deployer's config into every container, by their {@code METAFLOW_} names:
 *                             {@code METAFLOW_CARD_S3ROOT} (configured, else {@code <datastore root>/mf.cards}),
 *                             {@code METAFLOW_OTEL_SERVICE_NAME} (configured, else {@code metaflow}), and when
 *                             configured {@code METAFLOW_OTEL_ENDPOINT}, {@code METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE},
 *                             {@code METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION},
 *                             {@code METAFLOW_S3_SERVER_SIDE_ENCRYPTION}
 */
public record DeploymentSettings(String datastoreRoot, String datatoolsRoot, String jobQueue, String image,
                                 String jobRole, String sfnRole, Optional<String> dynamoTable, String serviceUrl,
                                 Optional<String> serviceHeaders, Optional<String> s3EndpointUrl, String region,
                                 Optional<String> stateMachinePrefix, long defaultRuntimeLimitSeconds,
                                 Optional<String> fargateExecutionRole, Map<String, String> batchDefaultTags,
                                 Optional<String> containerRegistry, Map<String, String> forwardedEnvironment,
                                 Optional<JobSecret> serviceAuthKey) {
    /** Settings Metaflow forwards into the container only when the config sets them (no default). */
    private static final java.util.List<String> FORWARDED_WHEN_SET = java.util.List.of("OTEL_ENDPOINT",
            "DEFAULT_SECRETS_BACKEND_TYPE", "AWS_SECRETS_MANAGER_DEFAULT_REGION", "S3_SERVER_SIDE_ENCRYPTION");

    public DeploymentSettings {
        batchDefaultTags = Collections.unmodifiableMap(new LinkedHashMap<>(batchDefaultTags));
        forwardedEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(forwardedEnvironment));
        serviceAuthKey = serviceAuthKey == null ? Optional.empty() : serviceAuthKey;
    }

    /**
     * The metadata API key of the jobs, by reference: Batch reads the secret {@code secretArn} with the ECS task
     * execution role {@code executionRole} and sets METAFLOW_SERVICE_AUTH_KEY in the container.
     */
    public record JobSecret(String secretArn, String executionRole) {
    }

    public static DeploymentSettings fromConfig(Map<String, String> config) {
        String root = require(config, "DATASTORE_SYSROOT_S3");
        if (!root.startsWith("s3://")) {
            throw new SettingsException("METAFLOW_DATASTORE_SYSROOT_S3 must be an s3:// URL, got '" + root + "'");
        }
        Optional<String> registry = get(config, "BATCH_CONTAINER_REGISTRY");
        String image = withRegistry(get(config, "BATCH_CONTAINER_IMAGE").orElse("python:3.11"), registry);
        String sfnRole = get(config, "SFN_IAM_ROLE").orElse("arn:aws:iam::000000000000:role/unset-sfn-role");
        long limit = get(config, "DEFAULT_RUNTIME_LIMIT").map(Long::parseLong).orElse(432000L);
        return new DeploymentSettings(root, get(config, "DATATOOLS_S3ROOT").orElse(root.replaceAll("/+$", "") + "/data"),
                require(config, "BATCH_JOB_QUEUE"), image, require(config, "ECS_S3_ACCESS_IAM_ROLE"), sfnRole,
                get(config, "SFN_DYNAMO_DB_TABLE"),
                get(config, "SERVICE_INTERNAL_URL").or(() -> get(config, "SERVICE_URL"))
                        .orElseThrow(() -> new SettingsException("METAFLOW_SERVICE_URL is required: the steps report to the metadata service")),
                get(config, "SERVICE_HEADERS"), get(config, "S3_ENDPOINT_URL"),
                get(config, "AWS_DEFAULT_REGION").or(() -> Optional.ofNullable(config.get("AWS_DEFAULT_REGION"))).orElse("us-east-1"),
                get(config, "SFN_STATE_MACHINE_PREFIX"), limit, get(config, "ECS_FARGATE_EXECUTION_ROLE"),
                batchDefaultTags(get(config, "BATCH_DEFAULT_TAGS")), registry, forwardedEnvironment(config, root),
                serviceAuthKey(config));
    }

    /** What {@code batch.py} sets from the config in every container (see {@code forwardedEnvironment}). */
    private static Map<String, String> forwardedEnvironment(Map<String, String> config, String datastoreRoot) {
        Map<String, String> env = new LinkedHashMap<>();
        // metaflow_config: CARD_S3ROOT = from_conf("CARD_S3ROOT", os.path.join(DATASTORE_SYSROOT_S3, "mf.cards"))
        env.put("METAFLOW_CARD_S3ROOT", get(config, "CARD_S3ROOT")
                .orElse(datastoreRoot + (datastoreRoot.endsWith("/") ? "" : "/") + "mf.cards"));
        env.put("METAFLOW_OTEL_SERVICE_NAME", get(config, "OTEL_SERVICE_NAME").orElse("metaflow"));
        FORWARDED_WHEN_SET.forEach(key -> get(config, key).ifPresent(v -> env.put("METAFLOW_" + key, v)));
        return env;
    }

    /**
     * METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN with the execution role that may read it (METAFLOW_BATCH_EXECUTION_ROLE,
     * else METAFLOW_ECS_FARGATE_EXECUTION_ROLE). A key in METAFLOW_SERVICE_HEADERS is refused: it would be stored in
     * plain text in every job definition and deployment record.
     */
    private static Optional<JobSecret> serviceAuthKey(Map<String, String> config) {
        get(config, "SERVICE_HEADERS").ifPresent(headers -> {
            if (headers.toLowerCase(java.util.Locale.ROOT).contains("x-api-key")) {
                throw new SettingsException("METAFLOW_SERVICE_HEADERS must not carry x-api-key: job definitions would hold"
                        + " the key in plain text; store it in Secrets Manager and set METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN");
            }
        });
        Optional<String> arn = get(config, "SERVICE_AUTH_KEY_SECRET_ARN");
        if (arn.isEmpty()) {
            return Optional.empty();
        }
        String role = get(config, "BATCH_EXECUTION_ROLE").or(() -> get(config, "ECS_FARGATE_EXECUTION_ROLE"))
                .orElseThrow(() -> new SettingsException("METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN needs METAFLOW_BATCH_EXECUTION_ROLE:"
                        + " the ECS task execution role AWS Batch reads the secret with"));
        return Optional.of(new JobSecret(arn.get(), role));
    }

    /** An image named without a registry gets {@code METAFLOW_BATCH_CONTAINER_REGISTRY}'s, as in Metaflow. */
    public String withRegistry(String image) {
        return withRegistry(image, containerRegistry);
    }

    /**
     * Metaflow's {@code @batch} init: an image whose name has no registry (no host with a {@code .} or {@code :}
     * before the first {@code /}, {@code aws_utils.get_docker_registry}) is prefixed with the registry.
     */
    private static String withRegistry(String image, Optional<String> registry) {
        if (registry.isEmpty() || HAS_REGISTRY.matcher(image).matches()) {
            return image;
        }
        return registry.get().replaceAll("/+$", "") + "/" + image;
    }

    /** The registry group of Metaflow's image pattern, {@code ^(.+?(?:[:.].+?)\/)?…}, matched. */
    private static final java.util.regex.Pattern HAS_REGISTRY = java.util.regex.Pattern.compile("^.+?[:.].+?/.*$");

    /** {@code METAFLOW_BATCH_DEFAULT_TAGS}: a JSON object of string tags added to every Batch job, as in Metaflow. */
    private static Map<String, String> batchDefaultTags(Optional<String> json) {
        if (json.isEmpty()) {
            return Map.of();
        }
        JsonNode tags;
        try {
            tags = FlowgateJson.parse(json.get());
        } catch (RuntimeException e) {
            tags = null;
        }
        if (tags == null || !tags.isObject()) {
            throw new SettingsException("METAFLOW_BATCH_DEFAULT_TAGS must be a JSON object of string tags, e.g. {\"team\": \"ml\"}");
        }
        Map<String, String> result = new LinkedHashMap<>();
        tags.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new SettingsException("METAFLOW_BATCH_DEFAULT_TAGS: the tag '" + e.getKey() + "' must have a string value");
            }
            result.put(e.getKey(), e.getValue().asText());
        });
        return result;
    }

    /** The AWS partition of the roles ({@code aws}, {@code aws-us-gov}, {@code aws-cn}). */
    public String partition() {
        String[] parts = sfnRole.split(":");
        return parts.length > 1 && !parts[1].isEmpty() ? parts[1] : "aws";
    }

    private static Optional<String> get(Map<String, String> config, String key) {
        String value = config.get("METAFLOW_" + key);
        if (value == null) {
            value = config.get(key);
        }
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static String require(Map<String, String> config, String key) {
        return get(config, key).orElseThrow(() -> new SettingsException("METAFLOW_" + key + " is required in the deployment settings"));
    }

    /** A required setting is missing or malformed; the message names the key. */
    public static final class SettingsException extends IllegalArgumentException {
        public SettingsException(String message) {
            super(message);
        }
    }
}

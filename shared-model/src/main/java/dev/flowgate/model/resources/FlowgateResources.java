package dev.flowgate.model.resources;

import dev.flowgate.model.resources.TableSpec.IndexSpec;
import dev.flowgate.model.resources.TableSpec.KeyAttribute;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The single source of truth for the AWS resources Flowgate's functions use. The CDK stacks create them in
 * the cloud and the local runtime creates them on the emulator, both from these definitions; a function
 * finds a resource's physical name with {@link #physicalName(String)}.
 */
public final class FlowgateResources {
    /** Prefix every physical name carries; one Flowgate per account, several side by side when it differs. */
    public static final String DEFAULT_PREFIX = "flowgate";
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    /**
     * Metaflow's Step Functions foreach bookkeeping table ({@code METAFLOW_SFN_DYNAMO_DB_TABLE}): partition key
     * {@code pathspec}, TTL on {@code ttl}; written by tasks, read by the state machine.
     */
    public static final TableSpec SFN_FOREACH = new TableSpec("sfn-foreach",
            KeyAttribute.string("pathspec"), null, List.of(), "ttl");

    /**
     * Metaflow metadata service (flows, runs, steps, tasks, artifacts, metadata), single-table design; keys
     * and access patterns are documented in {@code functions/metadata-api/README.md}.
     */
    public static final TableSpec METADATA = new TableSpec("metadata",
            KeyAttribute.string("pk"), KeyAttribute.string("sk"),
            List.of(new IndexSpec("gsi1", KeyAttribute.string("gsi1pk"), KeyAttribute.string("gsi1sk"))),
            null);

    /**
     * Deployment bookkeeping: webhook delivery de-duplication (with TTL), deployment records and their
     * history per flow, alert de-duplication.
     */
    public static final TableSpec CONTROL = new TableSpec("control",
            KeyAttribute.string("pk"), KeyAttribute.string("sk"), List.of(), "expires_at");

    public static final BucketSpec DATASTORE = new BucketSpec("datastore",
            "Metaflow datastore: code packages, artifacts, logs (METAFLOW_DATASTORE_SYSROOT_S3)");

    /**
     * Key prefix, in the {@link #DATASTORE} bucket, of the code packages the deployer publishes after verifying
     * them: {@code <prefix>/<sha256>/<Flow>/data/<sha1[0:2]>/<sha1>}. Outside Metaflow's sysroot
     * ({@code <bucket>/metaflow}) and its datatools root ({@code <bucket>/data}); only the deployer may write
     * it, Batch jobs may only read it (infra-cdk), and production state machines download only from it.
     */
    public static final String VERIFIED_PACKAGES_PREFIX = "flowgate/verified";

    public static final SecretSpec GITHUB_WEBHOOK_SECRET = new SecretSpec("github-webhook-secret",
            "Shared secret GitHub signs webhook deliveries with (X-Hub-Signature-256)",
            "FLOWGATE_GITHUB_WEBHOOK_SECRET", "flowgate-local-development-secret");

    public static final SecretSpec GITHUB_TOKEN = new SecretSpec("github-token",
            "GitHub token (or App installation token) used to read repository content and post commit statuses",
            "FLOWGATE_GITHUB_TOKEN", "local-placeholder-token");

    public static final SecretSpec SLACK_WEBHOOK = new SecretSpec("slack-webhook",
            "Slack incoming-webhook URL (or JSON {\"token\":…,\"channel\":…}) for failure alerts",
            "FLOWGATE_SLACK_WEBHOOK_URL", null);

    public static final List<TableSpec> TABLES = List.of(METADATA, CONTROL, SFN_FOREACH);
    public static final List<BucketSpec> BUCKETS = List.of(DATASTORE);
    public static final List<SecretSpec> SECRETS = List.of(GITHUB_WEBHOOK_SECRET, GITHUB_TOKEN, SLACK_WEBHOOK);

    private final String prefix;

    public FlowgateResources(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("FLOWGATE_RESOURCE_PREFIX '" + prefix
                    + "' must be 1-31 lowercase letters, digits or dashes, starting with a letter");
        }
        this.prefix = prefix;
    }

    /** Reads {@code FLOWGATE_RESOURCE_PREFIX}, defaulting to {@value #DEFAULT_PREFIX}. */
    public static FlowgateResources fromEnvironment() {
        return new FlowgateResources(Optional.ofNullable(System.getenv("FLOWGATE_RESOURCE_PREFIX"))
                .filter(s -> !s.isBlank()).orElse(DEFAULT_PREFIX));
    }

    public String prefix() {
        return prefix;
    }

    public String physicalName(String logicalName) {
        return prefix + "-" + logicalName;
    }

    public String tableName(TableSpec table) {
        return physicalName(table.logicalName());
    }

    /**
     * The EventBridge Scheduler schedule group holding every flow's {@code @schedule} (one schedule per state
     * machine); created by the CDK stack, and by the deployer when missing (the local platform).
     */
    public String scheduleGroupName() {
        return prefix + "-flow-schedules";
    }

    /** The name prefix of the EventBridge rules that start a flow when its upstream flow succeeds. */
    public String finishRulePrefix() {
        return prefix + "-finish-";
    }

    public String secretName(SecretSpec secret) {
        return prefix + "/" + secret.logicalName();
    }
}

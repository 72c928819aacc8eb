package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.deployer.domain.MachineTriggers;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.DeploymentStore;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.model.naming.StateMachineNames;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CONTROL table (pk/sk, TTL attribute {@code expires_at}) as delivery ledger and deployment store.
 * Items:
 * <ul>
 *   <li>{@code pk=claim#<key>, sk=-}: a de-duplication claim (delivery id, or repository+branch+commit), with TTL;</li>
 *   <li>{@code pk=deployments#<flow>, sk=<deployment id>}: one history row (ids sort by time), written once
 *       (conditional put: never overwritten);</li>
 *   <li>{@code pk=claim#deployment#<id>}: the claim of a deployment id (one id, one invocation) and
 *       {@code pk=claim#lease#<project>.<branch>.<flow>}: the lease of a deployment, both with TTL;</li>
 *   <li>{@code pk=deployed#<repo>#<branch>#<sha>#<flow>, sk=-}: marks a successful deployment (re-delivery no-op).</li>
 * </ul>
 */
public final class DynamoDbDeploymentStore implements DeploymentStore, DeliveryLedger {
    private static final String NONE = "-";
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbDeploymentStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<String> claim(String key, String deploymentId, Instant expiresAt) {
        Map<String, AttributeValue> item = Map.of(
                "pk", s("claim#" + key), "sk", s(NONE),
                "deployment_id", s(deploymentId),
                "claimed_at", s(Instant.now().toString()),
                "expires_at", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
        try {
            // an expired item may linger until DynamoDB's TTL sweep: treat it as absent
            dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR expires_at < :now")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(Instant.now().getEpochSecond())))));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("pk", s("claim#" + key), "sk", s(NONE)))).item();
            return Optional.of(existing == null || !existing.containsKey("deployment_id") ? "unknown"
                    : existing.get("deployment_id").s());
        } catch (SdkException e) {
            throw new DeployError.Unavailable("delivery ledger unavailable", e);
        }
    }

    @Override
    public void release(String key) {
        dynamo.deleteItem(r -> r.tableName(table).key(Map.of("pk", s("claim#" + key), "sk", s(NONE))));
    }

    @Override
    public void record(DeploymentRecord record) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s("deployments#" + record.flow()));
        item.put("sk", s(record.deploymentId()));
        item.put("flow", s(record.flow()));
        item.put("deployment_id", s(record.deploymentId()));
        item.put("kind", s(record.kind()));
        item.put("repository", s(record.repository()));
        item.put("commit_sha", s(record.commitSha()));
        item.put("branch", s(record.branch()));
        item.put("outcome", s(record.outcome().wireName()));
        item.put("message", s(record.message()));
        item.put("run_pathspec", s(record.runPathspec()));
        item.put("state_machine", s(record.stateMachine()));
        item.put("version_arn", s(record.versionArn()));
        item.put("definition", s(record.definition()));
        item.put("at", s(record.at().toString()));
        Map<String, AttributeValue> stages = new LinkedHashMap<>();
        record.stageMillis().forEach((k, v) -> stages.put(k, AttributeValue.fromN(Long.toString(v))));
        item.put("stage_ms", AttributeValue.fromM(stages));
        item.put("differing", AttributeValue.fromL(record.differing().stream().map(DynamoDbDeploymentStore::s).toList()));
        item.put("target", s(record.production() ? "production" : "experimental"));
        record.triggers().ifPresent(t -> {
            t.schedule().ifPresent(schedule -> {
                item.put("schedule", s(schedule.expression()));
                schedule.timezone().ifPresent(zone -> item.put("schedule_timezone", s(zone)));
            });
            item.put("triggered_by", AttributeValue.fromL(t.onSuccessOf().stream().map(DynamoDbDeploymentStore::s).toList()));
        });
        record.gate().ifPresent(g -> item.put("gate_tag", AttributeValue.fromM(Map.of("tagged_by", s(g.taggedBy()),
                "caller_kind", s(g.callerKind()), "user_name", s(g.userName()), "tagged_at", s(g.taggedAt().toString()),
                "via", s(g.via())))));
        List<TransactWriteItem> writes = new ArrayList<>();
        // a history row is written once: a second write with the same flow and deployment id is refused, never an overwrite
        writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build());
        if (record.outcome() == Outcome.DEPLOYED && "deploy".equals(record.kind())) {
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(Map.of(
                    "pk", s(deployedKey(record.repository(), record.branch(), record.commitSha(), record.flow())),
                    "sk", s(NONE), "deployment_id", s(record.deploymentId()), "flow", s(record.flow()))).build()).build());
        }
        try {
            dynamo.transactWriteItems(r -> r.transactItems(writes));
        } catch (TransactionCanceledException e) {
            boolean exists = e.hasCancellationReasons() && !e.cancellationReasons().isEmpty()
                    && "ConditionalCheckFailed".equals(e.cancellationReasons().get(0).code());
            throw new DeployError.Unavailable(exists ? "deployment record " + record.deploymentId() + " of " + record.flow()
                    + " already exists; records are never overwritten" : "deployment record could not be written", e);
        } catch (SdkException e) {
            throw new DeployError.Unavailable("deployment record could not be written", e);
        }
    }

    @Override
    public Optional<DeploymentRecord> find(String flow, String deploymentId) {
        Map<String, AttributeValue> row = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", s("deployments#" + flow), "sk", s(deploymentId)))).item();
        return row == null || row.isEmpty() ? Optional.empty() : Optional.of(fromItem(row));
    }

    @Override
    public Optional<DeploymentRecord> deployed(String repository, String branch, String commitSha, String flow) {
        Map<String, AttributeValue> marker = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", s(deployedKey(repository, branch, commitSha, flow)), "sk", s(NONE)))).item();
        if (marker == null || marker.isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> row = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", s("deployments#" + flow), "sk", marker.get("deployment_id")))).item();
        return row == null || row.isEmpty() ? Optional.empty() : Optional.of(fromItem(row));
    }

    @Override
    public List<DeploymentRecord> history(String flow, int limit) {
        return dynamo.queryPaginator(r -> r.tableName(table).keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s("deployments#" + flow)))
                        .scanIndexForward(false).consistentRead(true))
                .items().stream().limit(limit).map(DynamoDbDeploymentStore::fromItem).toList();
    }

    private static DeploymentRecord fromItem(Map<String, AttributeValue> item) {
        Map<String, Long> stages = new LinkedHashMap<>();
        if (item.containsKey("stage_ms")) {
            item.get("stage_ms").m().forEach((k, v) -> stages.put(k, Long.parseLong(v.n())));
        }
        List<String> differing = item.containsKey("differing")
                ? item.get("differing").l().stream().map(AttributeValue::s).toList() : List.of();
        return DeploymentRecord.builder()
                .deploymentId(str(item, "deployment_id"))
                .flow(str(item, "flow"))
                .kind(str(item, "kind"))
                .repository(str(item, "repository"))
                .commitSha(str(item, "commit_sha"))
                .branch(str(item, "branch"))
                .outcome(Outcome.valueOf(str(item, "outcome").toUpperCase(Locale.ROOT)))
                .message(str(item, "message"))
                .runPathspec(str(item, "run_pathspec"))
                .stateMachine(str(item, "state_machine"))
                .versionArn(str(item, "version_arn"))
                .definition(str(item, "definition"))
                .at(Instant.parse(str(item, "at")))
                .stageMillis(stages)
                .differing(differing)
                .gateTagging(gate(item))
                .production(item.containsKey("target") ? "production".equals(str(item, "target"))
                        // written before the target was: experimental state machines are named <project>.test.<branch>.<Flow>
                        : !str(item, "state_machine").contains("." + StateMachineNames.EXPERIMENTAL_PREFIX))
                .triggers(triggers(item))
                .build();
    }

    /** Empty for a record written before triggers were recorded ({@code triggered_by}, even empty, marks them). */
    private static Optional<MachineTriggers> triggers(Map<String, AttributeValue> item) {
        if (!item.containsKey("triggered_by")) {
            return Optional.empty();
        }
        Optional<FlowCompiler.Schedule> schedule = item.containsKey("schedule")
                ? Optional.of(new FlowCompiler.Schedule(str(item, "schedule"), item.containsKey("schedule_timezone")
                ? Optional.of(str(item, "schedule_timezone")) : Optional.empty()))
                : Optional.empty();
        return Optional.of(new MachineTriggers(schedule, item.get("triggered_by").l().stream().map(AttributeValue::s).toList()));
    }

    private static GateTagging gate(Map<String, AttributeValue> item) {
        AttributeValue gate = item.get("gate_tag");
        if (gate == null || !gate.hasM()) {
            return null;
        }
        Map<String, AttributeValue> m = gate.m();
        return new GateTagging(str(m, "tagged_by"), str(m, "caller_kind"), str(m, "user_name"),
                Instant.parse(str(m, "tagged_at")), str(m, "via"));
    }

    private static String deployedKey(String repository, String branch, String sha, String flow) {
        return "deployed#" + repository.toLowerCase(Locale.ROOT) + "#" + branch + "#" + sha + "#" + flow;
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.s() == null ? "" : value.s();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}

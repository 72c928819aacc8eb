package dev.flowgate.alerter.adapter;

import dev.flowgate.alerter.domain.BurstSummary;
import dev.flowgate.alerter.domain.BurstWindow;
import dev.flowgate.alerter.port.AlertLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CONTROL table behind {@link AlertLedger} (keys pk/sk, TTL on expires_at):
 * <ul>
 * <li>{@code pk=alert#<execution arn>#<status>, sk=-}: state pending (with lease_until) or sent;</li>
 * <li>{@code pk=burst#<state machine arn>, sk=<window start epoch s>}: count, examples, flow, project;</li>
 * <li>{@code pk=burst-open, sk=<window end epoch s, 12 digits>#<state machine arn>#<window start>}: the
 * index of windows whose summary is still due, read by one Query.</li>
 * </ul>
 */
public final class DynamoDbAlertLedger implements AlertLedger {
    static final String OPEN = "burst-open";
    private static final int MAX_EXAMPLES = 5;
    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration lease;
    private final Duration retention;

    public DynamoDbAlertLedger(DynamoDbClient dynamo, String table, Duration lease, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.lease = lease;
        this.retention = retention;
    }

    @Override
    public Claim reserve(String key, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(key));
        item.put("state", s("pending"));
        item.put("lease_until", n(now.plus(lease).getEpochSecond()));
        item.put("expires_at", n(now.plus(retention).getEpochSecond()));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR (#s = :pending AND lease_until < :now)")
                    .expressionAttributeNames(Map.of("#s", "state"))
                    .expressionAttributeValues(Map.of(":pending", s("pending"), ":now", n(now.getEpochSecond()))));
            return Claim.NEW;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = dynamo.getItem(r -> r.tableName(table).key(key(key)).consistentRead(true)).item();
            return existing != null && existing.containsKey("state") && "sent".equals(existing.get("state").s())
                    ? Claim.ALREADY_SENT : Claim.IN_FLIGHT;
        }
    }

    @Override
    public void confirm(String key, Instant now) {
        dynamo.updateItem(r -> r.tableName(table).key(key(key))
                .updateExpression("SET #s = :sent, expires_at = :exp REMOVE lease_until")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(Map.of(":sent", s("sent"), ":exp", n(now.plus(retention).getEpochSecond()))));
    }

    @Override
    public void release(String key) {
        try {
            dynamo.deleteItem(r -> r.tableName(table).key(key(key)).conditionExpression("#s = :pending")
                    .expressionAttributeNames(Map.of("#s", "state"))
                    .expressionAttributeValues(Map.of(":pending", s("pending"))));
        } catch (ConditionalCheckFailedException e) {
            // already sent or gone: nothing to free
        }
    }

    @Override
    public long countBurst(BurstWindow w, String executionName, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":one", n(1));
        values.put(":flow", s(w.flow()));
        values.put(":name", s(w.stateMachineName()));
        values.put(":region", s(w.region()));
        values.put(":project", s(w.project().orElse("")));
        values.put(":end", n(w.end().getEpochSecond()));
        values.put(":exp", n(w.end().plus(retention).getEpochSecond()));
        long count = Long.parseLong(dynamo.updateItem(r -> r.tableName(table).key(burstKey(w))
                .updateExpression("ADD #c :one SET #f = :flow, #m = :name, #r = :region, #p = :project, "
                        + "#we = :end, expires_at = :exp")
                .expressionAttributeNames(Map.of("#c", "count", "#r", "region", "#f", "flow", "#m", "machine",
                        "#p", "project", "#we", "window_end"))
                .expressionAttributeValues(values).returnValues(ReturnValue.UPDATED_NEW)).attributes().get("count").n());
        if (count <= MAX_EXAMPLES) {
            dynamo.updateItem(r -> r.tableName(table).key(burstKey(w))
                    .updateExpression("SET #e = list_append(if_not_exists(#e, :empty), :ex)")
                    .expressionAttributeNames(Map.of("#e", "examples"))
                    .expressionAttributeValues(Map.of(":empty", AttributeValue.fromL(List.of()),
                            ":ex", AttributeValue.fromL(List.of(s(executionName))))));
        }
        if (count == 1) {
            dynamo.putItem(r -> r.tableName(table).item(Map.of("pk", s(OPEN),
                    "sk", s(openSort(w.end(), w.stateMachineArn(), w.start())),
                    "expires_at", n(w.end().plus(retention).getEpochSecond()))));
        }
        return count;
    }

    @Override
    public void uncountBurst(BurstWindow w) {
        dynamo.updateItem(r -> r.tableName(table).key(burstKey(w)).updateExpression("ADD #c :minus")
                .expressionAttributeNames(Map.of("#c", "count")).expressionAttributeValues(Map.of(":minus", n(-1))));
    }

    @Override
    public List<BurstSummary> endedBursts(Instant now) {
        List<BurstSummary> out = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :open AND sk < :now")
                        .expressionAttributeValues(Map.of(":open", s(OPEN), ":now", s(String.format("%012d#", now.getEpochSecond())))))
                .items().forEach(index -> {
                    String[] parts = index.get("sk").s().split("#", 2);
                    String rest = parts[1];
                    int last = rest.lastIndexOf('#');
                    String arn = rest.substring(0, last);
                    Instant start = Instant.ofEpochSecond(Long.parseLong(rest.substring(last + 1)));
                    Instant end = Instant.ofEpochSecond(Long.parseLong(parts[0]));
                    Map<String, AttributeValue> b = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                            .key(Map.of("pk", s("burst#" + arn), "sk", s(Long.toString(start.getEpochSecond()))))).item();
                    if (b == null || b.isEmpty()) {
                        out.add(new BurstSummary(arn, "", "", Optional.empty(), "", start, end, 0, List.of()));
                        return;
                    }
                    String project = str(b, "project");
                    out.add(new BurstSummary(arn, str(b, "machine"), str(b, "flow"),
                            project.isEmpty() ? Optional.empty() : Optional.of(project), str(b, "region"), start, end,
                            b.containsKey("count") ? Long.parseLong(b.get("count").n()) : 0,
                            b.containsKey("examples") ? b.get("examples").l().stream().map(AttributeValue::s).toList() : List.of()));
                });
        return out;
    }

    @Override
    public void closeBurst(BurstSummary burst) {
        dynamo.deleteItem(r -> r.tableName(table).key(Map.of("pk", s(OPEN),
                "sk", s(openSort(burst.windowEnd(), burst.stateMachineArn(), burst.windowStart())))));
    }

    private static String openSort(Instant end, String arn, Instant start) {
        return String.format("%012d#%s#%d", end.getEpochSecond(), arn, start.getEpochSecond());
    }

    private static Map<String, AttributeValue> burstKey(BurstWindow w) {
        return Map.of("pk", s("burst#" + w.stateMachineArn()), "sk", s(Long.toString(w.start().getEpochSecond())));
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of("pk", s(key), "sk", s("-"));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null ? "" : v.s();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}

package dev.flowgate.metadata.adapter;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * DynamoDB requests and capacity per API operation, two ways: as the endpoint reports it
 * ({@code ReturnConsumedCapacity=TOTAL} on every request; exact in AWS, rough in emulators) and as estimated
 * from the items themselves with DynamoDB's published sizing rules (writes: 1 unit per started KB per item;
 * strongly consistent reads: 1 unit per started 4 KB, a Query summed over its items). Cumulative for this
 * container, and per request on the calling thread (the handler logs those as metrics).
 */
public final class DynamoDbUsage {
    private final Map<String, Totals> byOperation = new ConcurrentHashMap<>();
    private final ThreadLocal<double[]> current = new ThreadLocal<>();

    /** Cumulative figures of one operation: requests, read units, write units. */
    private record Totals(LongAdder requests, DoubleAdder readUnits, DoubleAdder writeUnits,
                          DoubleAdder estimatedReadUnits, DoubleAdder estimatedWriteUnits) {
        Totals() {
            this(new LongAdder(), new DoubleAdder(), new DoubleAdder(), new DoubleAdder(), new DoubleAdder());
        }
    }

    /** Starts counting for the request on this thread. */
    public void begin() {
        current.set(new double[3]);
    }

    /** Ends counting on this thread: {requests, read units, write units} of this request. */
    public double[] end() {
        double[] usage = current.get();
        current.remove();
        return usage == null ? new double[3] : usage;
    }

    /** Cumulative figures: operation -> {requests, readCapacityUnits, writeCapacityUnits}. */
    public Map<String, Map<String, Number>> snapshot() {
        Map<String, Map<String, Number>> result = new TreeMap<>();
        byOperation.forEach((operation, t) -> result.put(operation, Map.of("requests", t.requests().sum(),
                "readCapacityUnits", t.readUnits().sum(), "writeCapacityUnits", t.writeUnits().sum(),
                "estimatedReadUnits", t.estimatedReadUnits().sum(), "estimatedWriteUnits", t.estimatedWriteUnits().sum())));
        return result;
    }

    public void reset() {
        byOperation.clear();
    }

    /** One request: the response (null when refused) and the units estimated from its items. */
    void record(String operation, Object response, double estimatedUnits) {
        double reported = capacity(response);
        boolean read = operation.equals("GetItem") || operation.equals("Query") || operation.equals("Scan");
        Totals totals = byOperation.computeIfAbsent(operation, k -> new Totals());
        totals.requests().increment();
        if (!Double.isNaN(reported)) {
            (read ? totals.readUnits() : totals.writeUnits()).add(reported);
        }
        (read ? totals.estimatedReadUnits() : totals.estimatedWriteUnits()).add(estimatedUnits);
        double[] request = current.get();
        if (request != null) {
            request[0]++;
            request[read ? 1 : 2] += Double.isNaN(reported) ? estimatedUnits : reported;
        }
    }

    /** Write units of putting one item: one per started KB. */
    static double writeUnits(Map<String, AttributeValue> item) {
        return Math.max(1, Math.ceil(size(item) / 1024.0));
    }

    /** Strongly consistent read units of reading these items together: one per started 4 KB, at least one. */
    static double readUnits(List<Map<String, AttributeValue>> items) {
        double bytes = 0;
        for (Map<String, AttributeValue> item : items) {
            bytes += size(item);
        }
        return Math.max(1, Math.ceil(bytes / 4096.0));
    }

    /** DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits). */
    static long size(Map<String, AttributeValue> item) {
        long bytes = 0;
        if (item == null) {
            return 0;
        }
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            bytes += utf8(e.getKey()) + size(e.getValue());
        }
        return bytes;
    }

    private static long size(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return v.n().length() / 2 + 1;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToLong(DynamoDbUsage::utf8).sum();
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToLong(x -> 1 + size(x)).sum();
        }
        if (v.hasM()) {
            return 3 + size(v.m());
        }
        return 1;
    }

    private static long utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static double capacity(Object response) {
        if (response instanceof GetItemResponse r) {
            return units(r.consumedCapacity());
        }
        if (response instanceof QueryResponse r) {
            return units(r.consumedCapacity());
        }
        if (response instanceof PutItemResponse r) {
            return units(r.consumedCapacity());
        }
        if (response instanceof UpdateItemResponse r) {
            return units(r.consumedCapacity());
        }
        if (response instanceof BatchWriteItemResponse r) {
            return r.hasConsumedCapacity() && !r.consumedCapacity().isEmpty() ? sum(r.consumedCapacity()) : Double.NaN;
        }
        if (response instanceof TransactWriteItemsResponse r) {
            return r.hasConsumedCapacity() && !r.consumedCapacity().isEmpty() ? sum(r.consumedCapacity()) : Double.NaN;
        }
        return Double.NaN;
    }

    private static double units(ConsumedCapacity capacity) {
        return capacity == null || capacity.capacityUnits() == null ? Double.NaN : capacity.capacityUnits();
    }

    private static double sum(List<ConsumedCapacity> capacities) {
        return capacities.stream().mapToDouble(c -> c.capacityUnits() == null ? 0 : c.capacityUnits()).sum();
    }
}

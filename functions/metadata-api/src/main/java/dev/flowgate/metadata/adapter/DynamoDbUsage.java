package dev.flowgate.metadata.adapter;

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
 * DynamoDB requests and consumed capacity per API operation, as DynamoDB reports them
 * ({@code ReturnConsumedCapacity=TOTAL} on every request). Cumulative for this container, and per request on
 * the calling thread (the handler logs those as metrics). When a response carries no capacity (emulators
 * often omit it for transactions), DynamoDB's published rule for items up to 1 KB is used instead.
 */
public final class DynamoDbUsage {
    private final Map<String, Totals> byOperation = new ConcurrentHashMap<>();
    private final ThreadLocal<double[]> current = new ThreadLocal<>();

    /** Cumulative figures of one operation: requests, read units, write units. */
    private record Totals(LongAdder requests, DoubleAdder readUnits, DoubleAdder writeUnits) {
        Totals() {
            this(new LongAdder(), new DoubleAdder(), new DoubleAdder());
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
                "readCapacityUnits", t.readUnits().sum(), "writeCapacityUnits", t.writeUnits().sum())));
        return result;
    }

    public void reset() {
        byOperation.clear();
    }

    void record(String operation, Object response, int fallbackWriteUnits) {
        double units = capacity(response);
        boolean read = operation.equals("GetItem") || operation.equals("Query") || operation.equals("Scan");
        if (Double.isNaN(units)) {
            units = read ? 1 : fallbackWriteUnits;
        }
        Totals totals = byOperation.computeIfAbsent(operation, k -> new Totals());
        totals.requests().increment();
        (read ? totals.readUnits() : totals.writeUnits()).add(units);
        double[] request = current.get();
        if (request != null) {
            request[0]++;
            request[read ? 1 : 2] += units;
        }
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

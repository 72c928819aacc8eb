package dev.flowgate.metadata.handler;

import dev.flowgate.model.json.FlowgateJson;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One structured JSON log line per request (request id, route, status, latency), carrying CloudWatch
 * Embedded Metric Format so that count, latency and errors per route become metrics without API calls
 * (what Powertools logging + metrics produce, without AspectJ weaving).
 */
final class RequestLog {
    static final String NAMESPACE = "Flowgate/MetadataApi";
    private final PrintStream out;
    private final int minimumStatus;

    /** {@code level} as Powertools reads {@code POWERTOOLS_LOG_LEVEL}: WARN logs only 4xx/5xx, ERROR only 5xx. */
    RequestLog(PrintStream out, String level) {
        this.out = out;
        this.minimumStatus = switch (level == null ? "INFO" : level.toUpperCase(java.util.Locale.ROOT)) {
            case "WARN" -> 400;
            case "ERROR", "FATAL", "OFF" -> 500;
            default -> 0;
        };
    }

    /** {@code dynamo} = {requests, read capacity units, write capacity units} this request cost. */
    void record(String requestId, String method, MetadataApi.HttpReply reply, double latencyMs, double[] dynamo) {
        if (reply.status() < minimumStatus) {
            return;
        }
        String route = reply.route() == null ? "unmatched" : reply.route();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", reply.status() >= 500 ? "ERROR" : reply.status() >= 400 ? "WARN" : "INFO");
        line.put("service", "metadata-api");
        line.put("message", (reply.route() == null ? method + " " : "") + route + " -> " + reply.status());
        line.put("requestId", requestId);
        line.put("route", route);
        line.put("status", reply.status());
        line.put("latencyMs", Math.round(latencyMs * 100) / 100.0);
        line.put("Requests", 1);
        line.put("Errors", reply.status() >= 500 ? 1 : 0);
        line.put("ClientErrors", reply.status() >= 400 && reply.status() < 500 ? 1 : 0);
        line.put("Latency", line.get("latencyMs"));
        line.put("DynamoDbRequests", (long) dynamo[0]);
        line.put("DynamoDbReadUnits", dynamo[1]);
        line.put("DynamoDbWriteUnits", dynamo[2]);
        line.put("_aws", Map.of("Timestamp", System.currentTimeMillis(), "CloudWatchMetrics", List.of(Map.of(
                "Namespace", NAMESPACE,
                "Dimensions", List.of(List.of("route")),
                "Metrics", List.of(Map.of("Name", "Requests", "Unit", "Count"),
                        Map.of("Name", "Errors", "Unit", "Count"),
                        Map.of("Name", "ClientErrors", "Unit", "Count"),
                        Map.of("Name", "Latency", "Unit", "Milliseconds"),
                        Map.of("Name", "DynamoDbRequests", "Unit", "Count"),
                        Map.of("Name", "DynamoDbReadUnits", "Unit", "Count"),
                        Map.of("Name", "DynamoDbWriteUnits", "Unit", "Count"))))));
        out.println(FlowgateJson.write(line));
    }
}

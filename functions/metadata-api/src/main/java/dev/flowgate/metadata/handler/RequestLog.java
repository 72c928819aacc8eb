package dev.flowgate.metadata.handler;

import dev.flowgate.aws.FlowgateMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.Locale;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * One log line per request — {@code GET /flows/{flow_id}/runs -> 200 in 12.3 ms (2 DynamoDB requests)} for people,
 * the same with route, status, latency and DynamoDB units as fields in Powertools' JSON — and one EMF document per
 * request (namespace {@value #NAMESPACE}, dimensions {@code method} and {@code route}, the path template): Requests, Errors, ClientErrors, Latency and the
 * DynamoDB requests and capacity units the request consumed. Successful requests log at INFO, 4xx at WARN, 5xx at
 * ERROR, so {@code POWERTOOLS_LOG_LEVEL=WARN} keeps only failures.
 */
final class RequestLog {
    static final String NAMESPACE = "Flowgate/MetadataApi";
    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    private final Logger log;
    private final FlowgateMetrics metrics;

    RequestLog(FlowgateMetrics metrics) {
        this(LOG, metrics);
    }

    RequestLog(Logger log, FlowgateMetrics metrics) {
        this.log = log;
        this.metrics = metrics;
    }

    /** {@code dynamo} = {requests, read capacity units, write capacity units} this request cost. */
    void record(String method, MetadataApi.HttpReply reply, double latencyMs, double[] dynamo) {
        record(method, reply, latencyMs, dynamo, true);
    }

    /** The same line for a SnapStart priming request (warming the logging path), which is no request: not counted. */
    void recordPriming(String method, MetadataApi.HttpReply reply, double latencyMs, double[] dynamo) {
        record(method, reply, latencyMs, dynamo, false);
    }

    private void record(String method, MetadataApi.HttpReply reply, double latencyMs, double[] dynamo, boolean counted) {
        String route = reply.route() == null ? "unmatched" : reply.route();
        int status = reply.status();
        double latency = Math.round(latencyMs * 100) / 100.0;
        String line = line(method, reply, latency, (long) dynamo[0]);
        Object[] fields = {line, entry("route", route), entry("status", status), entry("latency_ms", latency),
                entry("dynamodb_requests", (long) dynamo[0]), entry("dynamodb_read_units", dynamo[1]),
                entry("dynamodb_write_units", dynamo[2])};
        if (status >= 500) {
            log.error("{}", fields);
        } else if (status >= 400) {
            log.warn("{}", fields);
        } else {
            log.info("{}", fields);
        }
        if (!counted) {
            return;
        }
        int space = route.indexOf(' ');
        String routeMethod = space < 0 ? method : route.substring(0, space);
        String routePath = space < 0 ? route : route.substring(space + 1);
        metrics.emit(m -> {
            // EMF dimension values hold no whitespace: the route is its method and its path template
            m.addDimension(DimensionSet.of("method", routeMethod, "route", routePath));
            m.addMetric("Requests", 1, MetricUnit.COUNT);
            m.addMetric("Errors", status >= 500 ? 1 : 0, MetricUnit.COUNT);
            m.addMetric("ClientErrors", status >= 400 && status < 500 ? 1 : 0, MetricUnit.COUNT);
            m.addMetric("Latency", latency, MetricUnit.MILLISECONDS);
            m.addMetric("DynamoDbRequests", dynamo[0], MetricUnit.COUNT);
            m.addMetric("DynamoDbReadUnits", dynamo[1], MetricUnit.COUNT);
            m.addMetric("DynamoDbWriteUnits", dynamo[2], MetricUnit.COUNT);
        });
    }

    /** The human line: the route (or method and path when no route matched), status, latency, DynamoDB requests. */
    static String line(String method, MetadataApi.HttpReply reply, double latencyMs, long dynamoRequests) {
        String route = reply.route() == null ? method + " (no route)" : reply.route();
        return String.format(Locale.ROOT, "%s -> %d in %.1f ms%s", route, reply.status(), latencyMs,
                dynamoRequests == 0 ? "" : " (" + dynamoRequests + " DynamoDB request" + (dynamoRequests == 1 ? ")" : "s)"));
    }
}

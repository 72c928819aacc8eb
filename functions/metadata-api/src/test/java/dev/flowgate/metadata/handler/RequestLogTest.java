package dev.flowgate.metadata.handler;

import dev.flowgate.aws.RecordedMetrics;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RequestLogTest {
    private final RecordedMetrics recorded = new RecordedMetrics();

    @Test
    void line_isOneShortHumanLine_withRouteStatusLatencyAndDynamoRequests() {
        assertThat(RequestLog.line("POST", new MetadataApi.HttpReply(409, Map.of(), "{}", "POST /flows/{flow_id}/run"), 12.345, 2))
                .isEqualTo("POST /flows/{flow_id}/run -> 409 in 12.3 ms (2 DynamoDB requests)");
        assertThat(RequestLog.line("GET", new MetadataApi.HttpReply(404, Map.of(), "{}", null), 0.4, 0))
                .isEqualTo("GET (no route) -> 404 in 0.4 ms");
    }

    @Test
    void record_emitsOneEmfDocumentPerRequest_byRoute_withCountsLatencyAndDynamoUnits() {
        new RequestLog(recorded.metrics(RequestLog.NAMESPACE)).record("POST",
                new MetadataApi.HttpReply(409, Map.of(), "{}", "POST /flows/{flow_id}/run"), 12.345, new double[]{2, 1, 1.5});

        assertThat(recorded.documents()).singleElement().satisfies(document -> {
            assertThat(document.namespace()).isEqualTo("Flowgate/MetadataApi");
            assertThat(document.dimensions()).containsOnly(Map.entry("method", "POST"), Map.entry("route", "/flows/{flow_id}/run"));
            assertThat(document.values()).containsEntry("Requests", 1.0).containsEntry("ClientErrors", 1.0)
                    .containsEntry("Errors", 0.0).containsEntry("Latency", 12.35).containsEntry("DynamoDbRequests", 2.0)
                    .containsEntry("DynamoDbReadUnits", 1.0).containsEntry("DynamoDbWriteUnits", 1.5);
        });
    }
}

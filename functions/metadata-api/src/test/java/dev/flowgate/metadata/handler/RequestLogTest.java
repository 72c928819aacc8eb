package dev.flowgate.metadata.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RequestLogTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RequestLog log(String level) {
        return new RequestLog(new PrintStream(out, true, StandardCharsets.UTF_8), level);
    }

    @Test
    void record_writesOneJsonLine_withRouteStatusLatency_andAnEmfBlock() {
        log("INFO").record("req-1", "POST", new MetadataApi.HttpReply(409, Map.of(), "{}", "POST /flows/{flow_id}/run"),
                12.345, new double[]{2, 1, 1});
        JsonNode line = FlowgateJson.parse(out.toString(StandardCharsets.UTF_8));
        assertThat(line.get("requestId").asText()).isEqualTo("req-1");
        assertThat(line.get("route").asText()).isEqualTo("POST /flows/{flow_id}/run");
        assertThat(line.get("status").asInt()).isEqualTo(409);
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("ClientErrors").asInt()).isEqualTo(1);
        assertThat(line.get("DynamoDbRequests").asInt()).isEqualTo(2);
        JsonNode metrics = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertThat(metrics.get("Namespace").asText()).isEqualTo(RequestLog.NAMESPACE);
        assertThat(metrics.get("Dimensions").get(0).get(0).asText()).isEqualTo("route");
        assertThat(metrics.findValuesAsText("Name")).contains("Requests", "Errors", "Latency", "DynamoDbWriteUnits");
    }

    @Test
    void record_atWarnLevel_skipsSuccessfulRequests() {
        log("WARN").record("req-2", "GET", new MetadataApi.HttpReply(200, Map.of(), "[]", "GET /flows"), 1, new double[3]);
        assertThat(out.size()).isZero();
    }
}

package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.RecordedMetrics;
import dev.flowgate.metadata.adapter.DynamoDbUsage;
import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.fixture.InMemoryMetadataStore;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The Lambda event translation: API Gateway REST proxy events as AWS sends them. */
class MetadataApiHandlerTest {
    private final RecordedMetrics metrics = new RecordedMetrics();
    private final MetadataApiHandler handler = new MetadataApiHandler(
            new MetadataApi(MetadataRoutes.build(new MetadataService(new InMemoryMetadataStore(), Clock.systemUTC()))),
            new DynamoDbUsage(), new RequestLog(metrics.metrics(RequestLog.NAMESPACE)));

    @Test
    void handleRequest_withProxyPathBehindABasePath_andABase64Body_createsTheRun() {
        handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/flows/EventFlow")
                .withBody("{}"), null);
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("events/create-run-base64.json");
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("METADATA_SERVICE_VERSION", "2.5.1");
        JsonNode run = FlowgateJson.parse(response.getBody());
        assertThat(run.get("user_name").asText()).isEqualTo("ann");
        assertThat(run.get("run_number").isNumber()).isTrue();
        assertThat(metrics.documents()).extracting(d -> d.dimensions().get("route"))
                .containsExactly("/flows/{flow_id}", "/flows/{flow_id}/run");
    }

    @Test
    void handleRequest_withUndecodableBase64Body_is400NotAnException() {
        APIGatewayProxyResponseEvent response = handler.handleRequest(new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST").withPath("/flows/EventFlow").withBody("%%%").withIsBase64Encoded(true), null);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("\"field\":\"body\"");
    }

    @Test
    void handleRequest_withABase64BodyThatIsNotUtf8_is400_andStoresNothing() {
        byte[] latin1 = "{\"flow_id\":\"Fl\u00fcFlow\",\"user_name\":\"J\u00fcrgen\"}".getBytes(StandardCharsets.ISO_8859_1);
        APIGatewayProxyResponseEvent response = handler.handleRequest(new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST").withPath("/flows/Utf8Flow")
                .withBody(java.util.Base64.getEncoder().encodeToString(latin1)).withIsBase64Encoded(true), null);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("\"field\":\"body\"").contains("UTF-8");
        assertThat(handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withPath("/flows/Utf8Flow"), null).getStatusCode()).isEqualTo(404);
    }
}

package dev.flowgate.alerter.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.alerter.Fixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalSlackSinkHandlerTest {
    private final LocalSlackSinkHandler sink = new LocalSlackSinkHandler();

    private static APIGatewayProxyRequestEvent request(String method, String body) {
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withPath("/local/slack").withBody(body);
    }

    @Test
    void postThenGet_returnsTheRecordedMessages() throws Exception {
        assertThat(sink.handleRequest(request("POST", "{\"text\":\"one\",\"blocks\":[]}"), null).getBody()).isEqualTo("ok");
        sink.handleRequest(request("POST", "{\"text\":\"two\"}"), null);
        JsonNode got = Fixtures.MAPPER.readTree(sink.handleRequest(request("GET", null), null).getBody());
        assertThat(got.path("messages")).hasSize(2);
        assertThat(got.path("messages").get(1).path("body").path("text").asText()).isEqualTo("two");
        assertThat(got.path("messages").get(0).path("received_at").asText()).isNotEmpty();
    }

    @Test
    void post_whenNotASlackMessage_is400NamingTheBody() {
        var response = sink.handleRequest(request("POST", "not json"), null);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("\"field\":\"body\"");
    }

    @Test
    void post_keepsOnlyTheNewestMessages() throws Exception {
        for (int i = 0; i < LocalSlackSinkHandler.CAPACITY + 5; i++) {
            sink.handleRequest(request("POST", "{\"text\":\"m" + i + "\"}"), null);
        }
        JsonNode got = Fixtures.MAPPER.readTree(sink.handleRequest(request("GET", null), null).getBody());
        assertThat(got.path("messages")).hasSize(LocalSlackSinkHandler.CAPACITY);
        assertThat(got.path("messages").get(0).path("body").path("text").asText()).isEqualTo("m5");
        sink.handleRequest(request("DELETE", null), null);
        assertThat(sink.handleRequest(request("GET", null), null).getBody()).isEqualTo("{\"messages\":[]}");
    }
}

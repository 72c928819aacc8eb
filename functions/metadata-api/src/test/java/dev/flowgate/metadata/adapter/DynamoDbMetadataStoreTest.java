package dev.flowgate.metadata.adapter;

import dev.flowgate.metadata.domain.MetadataService;
import dev.flowgate.metadata.handler.MetadataApi;
import dev.flowgate.metadata.handler.MetadataRoutes;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** How store failures reach the client: throttling and outages as 503 (retried by the client), never 500. */
class DynamoDbMetadataStoreTest {

    private static MetadataApi apiFailingWith(Supplier<RuntimeException> failure) {
        DynamoDbClient failing = (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[]{DynamoDbClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") || method.getName().equals("serviceName")) {
                        return null;
                    }
                    throw failure.get();
                });
        return new MetadataApi(MetadataRoutes.build(new MetadataService(
                new DynamoDbMetadataStore(failing, "t"), Clock.systemUTC())));
    }

    @Test
    void serve_whenDynamoDbThrottlesAfterSdkRetries_is503() {
        MetadataApi api = apiFailingWith(() -> ProvisionedThroughputExceededException.builder().message("slow down")
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("ProvisionedThroughputExceededException").build()).build());
        MetadataApi.HttpReply reply = api.serve("GET", "/flows/SomeFlow", Map.of(), null);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body()).contains("throttling");
    }

    @Test
    void serve_whenDynamoDbIsUnreachable_is503() {
        MetadataApi api = apiFailingWith(() -> SdkClientException.create("connection refused"));
        assertThat(api.serve("POST", "/flows/SomeFlow/run", Map.of(), "{}").status()).isEqualTo(503);
    }

    @Test
    void serve_whenTheTableIsMissing_isAServerErrorNotAClientOne() {
        MetadataApi api = apiFailingWith(() -> ResourceNotFoundException.builder().message("no table").statusCode(400).build());
        try {
            api.serve("GET", "/flows/SomeFlow", Map.of(), null);
        } catch (ResourceNotFoundException expected) {
            return; // a deployment fault: surfaces as the Lambda's error (API Gateway 502), never as a 4xx
        }
        throw new AssertionError("a missing table must not look like a client error");
    }
}

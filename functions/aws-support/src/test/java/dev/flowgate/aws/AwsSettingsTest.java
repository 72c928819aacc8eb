package dev.flowgate.aws;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwsSettingsTest {

    @Test
    void from_whenEndpointSetWithoutKeys_usesEmulatorCredentials() {
        AwsSettings settings = AwsSettings.from(Environment.of(Map.of(
                "AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "AWS_REGION", "eu-west-1")));
        assertThat(settings.endpointOverride()).contains(URI.create("http://127.0.0.1:5000"));
        assertThat(settings.region()).isEqualTo(Region.EU_WEST_1);
        AwsCredentials credentials = settings.credentials().resolveCredentials();
        assertThat(credentials.accessKeyId()).isEqualTo("testing");
    }

    @Test
    void configure_givesDynamoDbItsOwnEndpoint_andEveryOtherServiceTheCommonOne() {
        AwsSettings settings = AwsSettings.from(Environment.of(Map.of(
                "AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4567")));
        try (DynamoDbClient dynamo = settings.configure(DynamoDbClient.builder());
             S3Client s3 = settings.configure(S3Client.builder())) {
            assertThat(dynamo.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:4567"));
            assertThat(s3.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:5000"));
        }
    }

    @Test
    void configure_withoutServiceEndpoint_usesTheCommonOneForDynamoDb() {
        AwsSettings settings = AwsSettings.from(Environment.of(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")));
        try (DynamoDbClient dynamo = settings.configure(DynamoDbClient.builder())) {
            assertThat(dynamo.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:5000"));
        }
    }

    @Test
    void from_whenNothingSet_defaultsRegionAndHasNoOverride() {
        AwsSettings settings = AwsSettings.from(Environment.of(Map.of()));
        assertThat(settings.endpointOverride()).isEmpty();
        assertThat(settings.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void environment_require_namesTheMissingVariable() {
        assertThatThrownBy(() -> Environment.of(Map.of()).require("FLOWGATE_THING"))
                .hasMessageContaining("FLOWGATE_THING");
        assertThatThrownBy(() -> Environment.of(Map.of("N", "x")).getInt("N", 1))
                .hasMessageContaining("N must be a whole number");
    }
}

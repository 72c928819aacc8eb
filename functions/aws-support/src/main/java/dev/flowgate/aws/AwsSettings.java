package dev.flowgate.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where and as whom Flowgate talks to AWS. In Lambda: the function's region and role, no endpoint override.
 * Against an emulator (moto, LocalStack): {@code AWS_ENDPOINT_URL} plus the emulator's dummy credentials.
 * Build SDK clients with {@link #configure} once per container (static or final fields), never per request.
 */
public record AwsSettings(Optional<URI> endpointOverride, Region region, AwsCredentialsProvider credentials,
                          List<ExecutionInterceptor> interceptors) {

    /** The variables {@link #from} reads (Lambda's runtime sets them; locally the emulator's endpoint). */
    public static final List<String> VARIABLES = List.of("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

    public AwsSettings {
        interceptors = List.copyOf(interceptors);
    }

    public AwsSettings(Optional<URI> endpointOverride, Region region, AwsCredentialsProvider credentials) {
        this(endpointOverride, region, credentials, List.of());
    }

    public static final String DEFAULT_REGION = "us-east-1";

    /** One HTTP client for all SDK clients in this process: URLConnection starts fastest in Lambda. */
    private static final SdkHttpClient HTTP_CLIENT = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30))
            .build();

    public static AwsSettings from(Environment env) {
        Optional<URI> endpoint = env.get("AWS_ENDPOINT_URL").map(URI::create);
        Region region = Region.of(env.get("AWS_REGION").or(() -> env.get("AWS_DEFAULT_REGION")).orElse(DEFAULT_REGION));
        AwsCredentialsProvider credentials;
        Optional<String> keyId = env.get("AWS_ACCESS_KEY_ID");
        Optional<String> secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (keyId.isPresent() && secret.isPresent() && env.get("AWS_SESSION_TOKEN").isEmpty()) {
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId.get(), secret.get()));
        } else if (endpoint.isPresent() && keyId.isEmpty()) {
            credentials = emulatorCredentials();
        } else {
            credentials = DefaultCredentialsProvider.builder().build();
        }
        return new AwsSettings(endpoint, region, credentials);
    }

    /** The same settings whose clients also run {@code interceptor} on every call (e.g. a contract's guard). */
    public AwsSettings withInterceptor(ExecutionInterceptor interceptor) {
        List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
        all.add(interceptor);
        return new AwsSettings(endpointOverride, region, credentials, all);
    }

    /** The same settings (interceptors included) against another endpoint, e.g. the local runtime's Lambda API. */
    public AwsSettings withEndpoint(URI endpoint) {
        return new AwsSettings(Optional.of(endpoint), region, credentials, interceptors);
    }

    public static AwsSettings forEmulator(URI endpoint, String region) {
        return new AwsSettings(Optional.of(endpoint), Region.of(region), emulatorCredentials());
    }

    /** Emulators accept any credentials; these are the conventional dummy ones. */
    public static AwsCredentialsProvider emulatorCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    /**
     * Applies region, credentials, endpoint override and the shared HTTP client to an SDK client builder and
     * builds the client, e.g. {@code settings.configure(DynamoDbClient.builder())}.
     */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C configure(B builder) {
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClient(HTTP_CLIENT)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(60))
                        .executionInterceptors(interceptors)
                        .build());
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}

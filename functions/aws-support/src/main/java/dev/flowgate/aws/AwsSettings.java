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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where and as whom Flowgate talks to AWS. In Lambda: the function's region and role, no endpoint override.
 * Against an emulator (moto, LocalStack): {@code AWS_ENDPOINT_URL} plus the emulator's dummy credentials, and
 * optionally one service on an emulator of its own through the AWS SDKs' service-specific variable
 * {@code AWS_ENDPOINT_URL_<SERVICE>} (the local platform serves DynamoDB from a faster store with
 * {@code AWS_ENDPOINT_URL_DYNAMODB}). Build SDK clients with {@link #configure} once per container (static or
 * final fields), never per request.
 */
public record AwsSettings(Optional<URI> endpointOverride, Region region, AwsCredentialsProvider credentials,
                          List<ExecutionInterceptor> interceptors, Map<String, URI> serviceEndpoints) {

    /** The variables {@link #from} reads (Lambda's runtime sets them; locally the emulators' endpoints). */
    public static final List<String> VARIABLES = List.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

    public static final String DEFAULT_REGION = "us-east-1";
    /** The services whose endpoint can be set apart from {@code AWS_ENDPOINT_URL}, by SDK package name. */
    private static final List<String> SEPARATE_ENDPOINT_SERVICES = List.of("dynamodb");

    public AwsSettings {
        interceptors = List.copyOf(interceptors);
        serviceEndpoints = Map.copyOf(serviceEndpoints);
    }

    /** Settings with one endpoint (or none) for every service and no interceptors. */
    public AwsSettings(Optional<URI> endpointOverride, Region region, AwsCredentialsProvider credentials) {
        this(endpointOverride, region, credentials, List.of(), Map.of());
    }

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
        Map<String, URI> serviceEndpoints = new LinkedHashMap<>();
        for (String service : SEPARATE_ENDPOINT_SERVICES) {
            env.get("AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT))
                    .ifPresent(url -> serviceEndpoints.put(service, URI.create(url)));
        }
        return new AwsSettings(endpoint, region, credentials, List.of(), serviceEndpoints);
    }

    /** The endpoint a client of {@code service} (the SDK package name, e.g. {@code dynamodb}) talks to, if overridden. */
    public Optional<URI> endpointFor(String service) {
        return Optional.ofNullable(serviceEndpoints.get(service)).or(() -> endpointOverride);
    }

    /** The same settings whose clients also run {@code interceptor} on every call (e.g. a contract's guard). */
    public AwsSettings withInterceptor(ExecutionInterceptor interceptor) {
        List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
        all.add(interceptor);
        return new AwsSettings(endpointOverride, region, credentials, all, serviceEndpoints);
    }

    /**
     * The same settings (interceptors included) against another endpoint for every service, e.g. the local
     * runtime's Lambda API.
     */
    public AwsSettings withEndpoint(URI endpoint) {
        return new AwsSettings(Optional.of(endpoint), region, credentials, interceptors, Map.of());
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
        endpointFor(serviceOf(builder)).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The SDK package name of a client builder: {@code software.amazon.awssdk.services.dynamodb} → {@code dynamodb}. */
    static String serviceOf(Object builder) {
        String packageName = builder.getClass().getPackageName();
        String prefix = "software.amazon.awssdk.services.";
        if (!packageName.startsWith(prefix)) {
            return "";
        }
        String rest = packageName.substring(prefix.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}

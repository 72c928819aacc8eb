package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.FlowgateMetrics;
import dev.flowgate.aws.FunctionContract;
import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.aws.FunctionContract.ResourceKind;
import dev.flowgate.aws.Environment;
import dev.flowgate.metadata.adapter.DynamoDbMetadataStore;
import dev.flowgate.metadata.adapter.DynamoDbUsage;
import dev.flowgate.metadata.ui.UiReadService;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * API Gateway (REST, proxy) entry point of the Metaflow UI backend's read routes ({@link UiBackendApi}), on the
 * same METADATA table as the metadata API. Links in answers are absolute, built from {@code X-Forwarded-Proto}/
 * {@code X-Forwarded-Host} or {@code Host} as the reference builds them ({@code MF_BASEURL} overrides, as there).
 */
public final class UiBackendHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    /** Read-only: the metadata table's GetItem/Query and its index (no write, no Scan). Not in the CDK app yet. */
    public static final FunctionContract CONTRACT = FunctionContract.builder("ui-backend")
            .required("FLOWGATE_RESOURCE_PREFIX", "resource name prefix (the metadata table)")
            .optional("MF_BASEURL", "base URL of the links in answers (default: from the request's host headers)")
            .optional("POWERTOOLS_LOG_LEVEL", "WARN logs only 4xx/5xx requests")
            .allows(Resource.of(ResourceKind.TABLE, FlowgateResources.METADATA.logicalName()), "dynamodb:GetItem",
                    "dynamodb:Query")
            .allows(Resource.of(ResourceKind.TABLE_INDEXES, FlowgateResources.METADATA.logicalName()), "dynamodb:Query")
            .build();
    private final UiBackendApi api;
    private final DynamoDbUsage usage;
    private final RequestLog log;
    private final String baseUrlOverride;

    public UiBackendHandler() {
        this(Environment.system());
    }

    public UiBackendHandler(Environment system) {
        Environment env = CONTRACT.environment(system);
        FlowgateResources resources = new FlowgateResources(env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX));
        DynamoDbClient dynamo = CONTRACT.aws(env).configure(DynamoDbClient.builder());
        this.usage = new DynamoDbUsage();
        this.api = new UiBackendApi(new UiReadService(new DynamoDbMetadataStore(dynamo,
                resources.tableName(FlowgateResources.METADATA), usage), Clock.systemUTC()));
        this.log = new RequestLog(FlowgateMetrics.from(system, RequestLog.NAMESPACE));
        String base = env.get("MF_BASEURL", "");
        this.baseUrlOverride = base.isBlank() ? null : base;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        long start = System.nanoTime();
        usage.begin();
        MetadataApi.HttpReply reply = api.serve(event.getHttpMethod(), path(event), event.getQueryStringParameters(),
                baseUrl(event));
        log.record(event.getHttpMethod(), reply, (System.nanoTime() - start) / 1_000_000.0, usage.end());
        return new APIGatewayProxyResponseEvent().withStatusCode(reply.status()).withHeaders(reply.headers())
                .withBody(reply.body());
    }

    private static String path(APIGatewayProxyRequestEvent event) {
        String proxy = event.getPathParameters() == null ? null : event.getPathParameters().get("proxy");
        return proxy != null ? "/" + proxy : event.getPath();
    }

    private String baseUrl(APIGatewayProxyRequestEvent event) {
        if (baseUrlOverride != null) {
            return baseUrlOverride;
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (event.getHeaders() != null) {
            headers.putAll(event.getHeaders());
        }
        String proto = first(headers.getOrDefault("X-Forwarded-Proto", "http"));
        String host = first(headers.getOrDefault("X-Forwarded-Host", headers.getOrDefault("Host", "localhost")));
        return proto + "://" + host;
    }

    private static String first(String value) {
        return value.split(",")[0].trim();
    }
}

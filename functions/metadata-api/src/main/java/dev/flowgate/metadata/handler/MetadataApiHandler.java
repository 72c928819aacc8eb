package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.Environment;
import dev.flowgate.metadata.adapter.DynamoDbUsage;

/** API Gateway (REST, proxy) entry point of the Metaflow metadata service. */
public final class MetadataApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final MetadataApi api;
    private final DynamoDbUsage usage;
    private final RequestLog log;

    /** In Lambda: configuration from the process environment; clients built once per container. */
    public MetadataApiHandler() {
        this(Environment.system());
    }

    public MetadataApiHandler(Environment env) {
        this(MetadataWiring.from(env), new RequestLog(System.out, env.get("POWERTOOLS_LOG_LEVEL", "INFO")));
    }

    private MetadataApiHandler(MetadataWiring wiring, RequestLog log) {
        this.api = wiring.api();
        this.usage = wiring.usage();
        this.log = log;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        long start = System.nanoTime();
        usage.begin();
        MetadataApi.HttpReply reply = api.serve(event.getHttpMethod(), event.getPath(),
                event.getQueryStringParameters(), event.getBody());
        log.record(context == null ? null : context.getAwsRequestId(), event.getHttpMethod(), reply,
                (System.nanoTime() - start) / 1_000_000.0, usage.end());
        return new APIGatewayProxyResponseEvent().withStatusCode(reply.status()).withHeaders(reply.headers())
                .withBody(reply.body());
    }
}

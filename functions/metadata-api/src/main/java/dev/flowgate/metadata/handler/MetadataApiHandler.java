package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.FlowgateMetrics;
import dev.flowgate.aws.Priming;
import dev.flowgate.metadata.adapter.DynamoDbUsage;
import dev.flowgate.metadata.domain.MetadataException;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** API Gateway (REST, proxy) entry point of the Metaflow metadata service. */
public final class MetadataApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    /** The environment variables and AWS actions this function needs (checked against the CDK template). */
    public static final dev.flowgate.aws.FunctionContract CONTRACT = MetadataWiring.CONTRACT;

    private final MetadataApi api;
    private final DynamoDbUsage usage;
    private final RequestLog log;

    private final Priming priming;

    /**
     * In Lambda: configuration from the process environment; clients built once per container. With SnapStart the
     * priming runs before the snapshot (CRaC {@code beforeCheckpoint}), so restored containers start with the SDK,
     * Jackson and the routes loaded.
     */
    public MetadataApiHandler() {
        this(Environment.system());
    }

    public MetadataApiHandler(Environment env) {
        this(MetadataWiring.from(env), new RequestLog(FlowgateMetrics.from(env, RequestLog.NAMESPACE)));
    }

    private MetadataApiHandler(MetadataWiring wiring, RequestLog log) {
        this(wiring.api(), wiring.usage(), log);
    }

    MetadataApiHandler(MetadataApi api, DynamoDbUsage usage, RequestLog log) {
        this.api = api;
        this.usage = usage;
        this.log = log;
        this.priming = Priming.register("metadata-api", this::prime);
    }

    /**
     * Serves a ping and one read of an absent flow through the whole request path (SDK client, DynamoDB marshalling,
     * Jackson, routing, the log line), without counting them as requests.
     */
    private void prime() {
        api.serve("GET", "/ping", null, null);
        serve(new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/flows/FlowgatePrimingProbe"), true);
    }

    /** The priming hook (the startup benchmark runs it without a snapshot). */
    public Priming priming() {
        return priming;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> serve(event, false));
    }

    private APIGatewayProxyResponseEvent serve(APIGatewayProxyRequestEvent event, boolean priming) {
        long start = System.nanoTime();
        usage.begin();
        String body;
        MetadataApi.HttpReply reply;
        try {
            body = body(event);
            reply = api.serve(event.getHttpMethod(), path(event), event.getQueryStringParameters(), body,
                    CallerIdentities.of(event));
        } catch (MetadataException e) {
            reply = MetadataApi.refusal(e);
        }
        double latencyMs = (System.nanoTime() - start) / 1_000_000.0;
        if (priming) {
            log.recordPriming(event.getHttpMethod(), reply, latencyMs, usage.end());
        } else {
            log.record(event.getHttpMethod(), reply, latencyMs, usage.end());
        }
        return new APIGatewayProxyResponseEvent().withStatusCode(reply.status()).withHeaders(reply.headers())
                .withBody(reply.body());
    }

    /** The {proxy+} parameter when API Gateway gives one (custom domains add base paths to {@code path}). */
    private static String path(APIGatewayProxyRequestEvent event) {
        String proxy = event.getPathParameters() == null ? null : event.getPathParameters().get("proxy");
        return proxy != null ? "/" + proxy : event.getPath();
    }

    /**
     * The body text. A base64 body (binary, or bytes the front door could not read as text) is decoded strictly:
     * bytes that are not UTF-8 are refused (400), never stored as U+FFFD replacement characters.
     */
    private static String body(APIGatewayProxyRequestEvent event) {
        if (!Boolean.TRUE.equals(event.getIsBase64Encoded()) || event.getBody() == null) {
            return event.getBody();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(event.getBody());
        } catch (IllegalArgumentException e) {
            throw MetadataException.invalid("body", "request body is marked base64 but is not base64");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw MetadataException.invalid("body", "request body is not valid UTF-8 text");
        }
    }
}

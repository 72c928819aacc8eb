package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.model.json.FlowgateJson;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A Lambda function as the local runtime holds it: a name and a way to invoke it with a JSON payload, just
 * as the Lambda service does. API Gateway proxy handlers are also reachable over plain HTTP through a mount.
 */
public sealed interface LocalFunction {

    String name();

    /** Invokes with a raw JSON payload (the Lambda Invoke API); returns the raw JSON result. */
    byte[] invoke(byte[] payload, Context context) throws Exception;

    /** A {@link RequestStreamHandler}: bytes in, bytes out (Jenkins calls, EventBridge events). */
    record Stream(String name, RequestStreamHandler handler) implements LocalFunction {
        @Override
        public byte[] invoke(byte[] payload, Context context) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(payload), out, context);
            return out.toByteArray();
        }
    }

    /** An API Gateway REST proxy handler; over Invoke its payload is the proxy event as JSON. */
    record ApiGateway(String name, RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler)
            implements LocalFunction {
        @Override
        public byte[] invoke(byte[] payload, Context context) throws IOException {
            APIGatewayProxyRequestEvent event = FlowgateJson.mapper().readValue(payload, APIGatewayProxyRequestEvent.class);
            return FlowgateJson.mapper().writeValueAsBytes(handler.handleRequest(event, context));
        }

        public APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent event, Context context) {
            return handler.handleRequest(event, context);
        }
    }
}

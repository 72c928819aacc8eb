package dev.flowgate.deployer.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.domain.DeploymentPipeline;
import dev.flowgate.model.json.FlowgateJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The deployer function ({@code flowgate-deployer}): a deploy request in (Jenkins, synchronously; the webhook,
 * asynchronously), the pipeline's result out as JSON. Invalid payloads answer {@code outcome: invalid_request}
 * with every offending field; business refusals are normal results; only infrastructure failures throw.
 */
public final class DeployerHandler implements RequestStreamHandler {
    public static final String FUNCTION_NAME = DeployerWiring.DEPLOYER_FUNCTION;
    private final DeploymentPipeline pipeline;

    public DeployerHandler() {
        this(Environment.system());
    }

    public DeployerHandler(Environment env) {
        this(DeployerWiring.pipeline(env));
    }

    DeployerHandler(DeploymentPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                : UUID.randomUUID().toString();
        Object answer;
        try {
            JsonNode payload = FlowgateJson.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
            answer = ResultJson.write(pipeline.deploy(DeployRequestJson.read(payload, "invoke:" + requestId)));
        } catch (DeployRequestJson.InvalidRequest e) {
            answer = ResultJson.invalid(e);
        } catch (FlowgateJson.MalformedJsonException e) {
            answer = ResultJson.invalid(new DeployRequestJson.InvalidRequest(
                    List.of(new DeployRequestJson.FieldError("$", e.getMessage()))));
        }
        output.write(FlowgateJson.write(answer).getBytes(StandardCharsets.UTF_8));
    }
}

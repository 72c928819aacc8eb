package dev.flowgate.deployer.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.Environment;
import dev.flowgate.aws.FlowgateMetrics;
import dev.flowgate.aws.Priming;
import dev.flowgate.deployer.domain.DeployRequest;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.domain.DeploymentPipeline;
import dev.flowgate.model.json.FlowgateJson;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

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
    private final DeploymentLog log;
    private final Priming priming;

    public DeployerHandler() {
        this(Environment.system());
    }

    public DeployerHandler(Environment env) {
        this(DeployerWiring.pipeline(env), new DeploymentLog(FlowgateMetrics.from(env, DeploymentLog.NAMESPACE)));
    }

    DeployerHandler(DeploymentPipeline pipeline) {
        this(pipeline, new DeploymentLog(FlowgateMetrics.disabled()));
    }

    DeployerHandler(DeploymentPipeline pipeline, DeploymentLog log) {
        this.pipeline = pipeline;
        this.log = log;
        this.priming = Priming.register("deployer", this::prime);
    }

    /**
     * SnapStart priming: an invalid request runs Jackson, the request schema and the result writer; the clients
     * were built with the pipeline. Nothing is deployed, and no AWS call is made.
     */
    private void prime() {
        try {
            DeployRequestJson.read(FlowgateJson.parse("{\"flowgate_priming\": true}"), "priming");
        } catch (DeployRequestJson.InvalidRequest expected) {
            FlowgateJson.write(ResultJson.invalid(expected));
        }
    }

    /** The priming hook (the startup benchmark runs it without a snapshot). */
    public Priming priming() {
        return priming;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                : UUID.randomUUID().toString();
        byte[] request = input.readAllBytes();
        Object answer = PowertoolsLogging.withLogging(context, () -> answer(request, requestId));
        output.write(FlowgateJson.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    private Object answer(byte[] request, String requestId) {
        try {
            JsonNode payload = FlowgateJson.parse(new String(request, StandardCharsets.UTF_8));
            DeployRequest deployRequest = DeployRequestJson.read(payload, "invoke:" + requestId);
            MDC.put("delivery_id", deployRequest.requestId());
            DeployResult result = pipeline.deploy(deployRequest);
            log.record(result);
            return ResultJson.write(result);
        } catch (DeployRequestJson.InvalidRequest e) {
            log.invalid(e);
            return ResultJson.invalid(e);
        } catch (FlowgateJson.MalformedJsonException e) {
            DeployRequestJson.InvalidRequest invalid = new DeployRequestJson.InvalidRequest(
                    List.of(new DeployRequestJson.FieldError("$", e.getMessage())));
            log.invalid(invalid);
            return ResultJson.invalid(invalid);
        }
    }
}

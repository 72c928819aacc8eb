package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployRequest;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.port.DeploymentDispatcher;
import dev.flowgate.model.json.FlowgateJson;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** Asynchronous {@code lambda:Invoke} (InvocationType Event) of the deployer function with the request JSON. */
public final class LambdaAsyncDispatcher implements DeploymentDispatcher {
    private final LambdaClient lambda;
    private final String functionName;

    public LambdaAsyncDispatcher(LambdaClient lambda, String functionName) {
        this.lambda = lambda;
        this.functionName = functionName;
    }

    @Override
    public void dispatch(DeployRequest request) {
        InvokeResponse response = lambda.invoke(r -> r.functionName(functionName)
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(FlowgateJson.write(DeployRequestJson.write(request)))));
        if (response.statusCode() / 100 != 2 || response.functionError() != null) {
            throw new IllegalStateException("invoke of " + functionName + " answered " + response.statusCode());
        }
    }
}

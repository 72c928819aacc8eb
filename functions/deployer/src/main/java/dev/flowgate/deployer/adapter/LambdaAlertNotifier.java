package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeploymentAlert;
import dev.flowgate.deployer.port.AlertNotifier;
import dev.flowgate.model.events.DeploymentFailedEvent;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.time.Clock;

/**
 * Sends a failed deployment to the alerter function (asynchronous {@code lambda:Invoke}) as its
 * {@code flowgate.deployer} / {@code Deployment Failed} event, so it reaches Slack with the same routing,
 * de-duplication and retries as failed executions. Never throws: when the hand-off itself fails, the alert is
 * written to the log by the fallback so it is not lost silently.
 */
public final class LambdaAlertNotifier implements AlertNotifier {
    private final LambdaClient lambda;
    private final String alerterFunction;
    private final AlertNotifier fallback;
    private final Clock clock;

    public LambdaAlertNotifier(LambdaClient lambda, String alerterFunction, AlertNotifier fallback, Clock clock) {
        this.lambda = lambda;
        this.alerterFunction = alerterFunction;
        this.fallback = fallback;
        this.clock = clock;
    }

    @Override
    public void notify(DeploymentAlert alert) {
        try {
            InvokeResponse response = lambda.invoke(r -> r.functionName(alerterFunction)
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(event(alert))));
            if (response.statusCode() / 100 != 2) {
                fallback.notify(alert);
            }
        } catch (RuntimeException e) {
            fallback.notify(alert);
        }
    }

    /** The alerter's deployment-failure event, written by the contract both sides share. */
    String event(DeploymentAlert alert) {
        return new DeploymentFailedEvent(alert.deploymentId(), alert.flow(), alert.project().orElse(null), alert.repository(), alert.commitSha(),
                alert.branch(), alert.outcome().wireName(), alert.message(), alert.channel(), clock.instant()).toJson();
    }
}

package dev.flowgate.alerter.domain;

import dev.flowgate.model.events.DeploymentFailedEvent;

/**
 * The port the deployer publishes deployment failures through. Implementations: the alerter's own service
 * (in process) or an adapter in the deployer that sends the event ({@link DeploymentFailedEvent#toJson()}) to the
 * flowgate-alerter function (Lambda invoke, async) or the event bus. Throws when the alert could not be
 * handed on, so the caller's own retry applies.
 */
public interface AlertNotifier {
    void notify(DeploymentFailedEvent failure);
}

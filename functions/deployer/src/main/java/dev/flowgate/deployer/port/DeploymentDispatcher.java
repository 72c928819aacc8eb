package dev.flowgate.deployer.port;

import dev.flowgate.deployer.domain.DeployRequest;

/** Hands a deploy request to the deployer without waiting for it (the webhook must answer within 10 s). */
public interface DeploymentDispatcher {
    void dispatch(DeployRequest request);
}

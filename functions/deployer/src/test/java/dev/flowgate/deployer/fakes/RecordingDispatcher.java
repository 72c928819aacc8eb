package dev.flowgate.deployer.fakes;

import dev.flowgate.deployer.domain.DeployRequest;
import dev.flowgate.deployer.port.DeploymentDispatcher;

import java.util.ArrayList;
import java.util.List;

public final class RecordingDispatcher implements DeploymentDispatcher {
    public final List<DeployRequest> dispatched = new ArrayList<>();
    public boolean fail;

    @Override
    public void dispatch(DeployRequest request) {
        if (fail) {
            throw new IllegalStateException("lambda unavailable");
        }
        dispatched.add(request);
    }
}

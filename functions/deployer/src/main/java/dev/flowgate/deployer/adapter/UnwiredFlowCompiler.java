package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.FlowCompiler;

/**
 * Stands where the Metaflow flow compiler adapter goes until functions/flow-compiler publishes its API: every
 * deployment stops at the compile stage with a clear message (verification and all earlier stages still run).
 */
public final class UnwiredFlowCompiler implements FlowCompiler {
    @Override
    public CompiledFlow compile(CompileRequest request) {
        throw new DeployError.CompileFailed(request.flowName(),
                "no flow compiler is wired into this deployer build yet (functions/flow-compiler)", null);
    }
}

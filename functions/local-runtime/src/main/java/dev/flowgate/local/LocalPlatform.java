package dev.flowgate.local;

import dev.flowgate.aws.Environment;

/**
 * Which functions the local platform serves, and where: the one place a function is wired into the local
 * runtime (AWS wires the same handlers through the CDK stacks). Each handler is built with the local
 * {@link Environment} (emulator endpoint, resource prefix, FLOWGATE_LOCAL_URL).
 */
public final class LocalPlatform {
    private LocalPlatform() {
    }

    public static LocalFunctions functions(Environment env) {
        LocalFunctions functions = new LocalFunctions();
        // Registrations: one line per function (http mounts for API Gateway routes, invokable for Invoke-only).
        return functions;
    }
}

package dev.flowgate.local;

import dev.flowgate.alerter.handler.AlerterHandler;
import dev.flowgate.alerter.handler.AlerterWiring;
import dev.flowgate.alerter.local.LocalSlackSinkHandler;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.handler.DeployerHandler;
import dev.flowgate.deployer.handler.DeployerWiring;
import dev.flowgate.deployer.handler.GitHubWebhookHandler;
import dev.flowgate.local.github.LocalGitHubHandler;
import dev.flowgate.metadata.handler.MetadataApiHandler;

import java.nio.file.Path;

/**
 * Which functions the local platform serves, and where: the one place a function is wired into the local
 * runtime (AWS wires the same handlers through the CDK stacks). Each handler is built with the local
 * {@link Environment} (emulator endpoint, resource prefix, FLOWGATE_LOCAL_URL).
 */
public final class LocalPlatform {
    private LocalPlatform() {
    }

    /** Where the local GitHub finds repositories: {@code <root>/<owner>/<repo>}. */
    public static Path gitRoot(Environment env) {
        return Path.of(env.get("FLOWGATE_LOCAL_GIT_ROOT",
                Path.of(System.getProperty("user.home"), ".flowgate", "git").toString()));
    }

    public static LocalFunctions functions(Environment env) {
        LocalFunctions functions = new LocalFunctions();
        // Registrations: one line per function (http mounts for API Gateway routes, invokable for Invoke-only).
        functions.http("/", "metadata-api", new MetadataApiHandler(LocalMetadataStore.metadataEnvironment(env)), true);
        functions.http(GitHubWebhookHandler.MOUNT, "flowgate-github-webhook", new GitHubWebhookHandler(env), false);
        functions.invokable(DeployerHandler.FUNCTION_NAME, new DeployerHandler(env));
        functions.invokable(AlerterWiring.FUNCTION_NAME, new AlerterHandler(env));
        // Local stand-ins for what no AWS emulator covers:
        functions.http(LocalGitHubHandler.MOUNT, "local-github", new LocalGitHubHandler(gitRoot(env)), false);
        functions.http(LocalSlackSinkHandler.MOUNT, "local-slack", new LocalSlackSinkHandler(), false);
        functions.http(LocalShellSettings.MOUNT, "local-env", new LocalShellSettings(env), false);
        // what a local commit status links to (on AWS: the Step Functions console)
        functions.http(LocalDeploymentRecords.MOUNT, "local-deployments", new LocalDeploymentRecords(DeployerWiring.history(env)), false);
        return functions;
    }
}

package dev.flowgate.local;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.handler.DeployerWiring;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.EmulatorStartException;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The embedded default: the whole Flowgate platform in one process on 127.0.0.1. It binds the HTTP port
 * first (a taken port fails at once), starts the AWS emulator (moto, unless AWS_ENDPOINT_URL names one),
 * creates Flowgate's tables, buckets and secrets from {@link FlowgateResources}, builds every function of
 * {@link LocalPlatform} against it, and prints the {@code export} lines a user needs.
 */
public final class LocalRuntime implements AutoCloseable {
    public static final int DEFAULT_PORT = 8080;

    private final AwsEmulator emulator;
    private final LocalMetadataStore metadataStore;
    private final LocalHttpServer server;
    private final Environment functionEnvironment;
    private final Map<String, String> developmentSecrets;
    private final LocalFunctions functions;

    private LocalRuntime(AwsEmulator emulator, LocalMetadataStore metadataStore, LocalHttpServer server,
                         Environment functionEnvironment, Map<String, String> developmentSecrets, LocalFunctions functions) {
        this.emulator = emulator;
        this.metadataStore = metadataStore;
        this.server = server;
        this.functionEnvironment = functionEnvironment;
        this.developmentSecrets = developmentSecrets;
        this.functions = functions;
    }

    /** The body of {@code GET /healthz}: the emulator's state and what is served where. */
    Map<String, Object> health() {
        boolean emulatorUp = emulator.isHealthy();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", emulatorUp ? "ok" : "degraded");
        body.put("emulator", Map.of("kind", emulator.kind(), "endpoint", emulator.endpoint().toString(), "up", emulatorUp));
        body.put("metadataStore", metadataStore.describe());
        body.put("state", LocalState.describe(LocalState.directory(functionEnvironment)));
        body.put("functions", functions.names());
        Map<String, String> mounts = new LinkedHashMap<>();
        functions.mounts().forEach(m -> mounts.put(m.pathPrefix(), m.function().name()));
        body.put("mounts", mounts);
        return body;
    }

    /**
     * Starts the platform. {@code platform} chooses the functions from the function environment
     * ({@link LocalPlatform#functions} in production use; tests pass their own).
     */
    public static LocalRuntime start(Environment env, Function<Environment, LocalFunctions> platform) {
        int port = env.getInt("FLOWGATE_PORT", DEFAULT_PORT);
        LocalHttpServer server = LocalHttpServer.bind(port, LocalApiKeys.parse(env.get("FLOWGATE_API_KEYS").orElse(null),
                env.get("FLOWGATE_API_KEY").orElse(null)));
        Optional<Path> state = LocalState.directory(env);
        AwsEmulator emulator = null;
        LocalMetadataStore metadataStore = null;
        try {
            emulator = AwsEmulator.startLocal(env, state.map(dir -> dir.resolve("moto")));
            metadataStore = LocalMetadataStore.start(env, emulator, state.map(dir -> dir.resolve("dynamodb")));
            String localUrl = "http://127.0.0.1:" + server.port();
            String prefix = env.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX);
            // the functions run inside this platform: their metadata service is this one, whatever the shell's
            // METAFLOW_SERVICE_URL points at (a team's real service, another local platform)
            Environment functionEnv = emulator.environment(env, prefix)
                    .with("FLOWGATE_LOCAL_URL", localUrl)
                    .with("METAFLOW_SERVICE_URL", localUrl)
                    .with("FLOWGATE_SLACK_WEBHOOK_URL", env.get("FLOWGATE_SLACK_WEBHOOK_URL", localUrl + "/local/slack"))
                    .with("FLOWGATE_GITHUB_API_URL", env.get("FLOWGATE_GITHUB_API_URL", localUrl + "/local/github"))
                    .with(LocalMetadataStore.ENDPOINT_VARIABLE, metadataStore.endpoint().map(URI::toString).orElse(null));
            Map<String, String> defaults;
            try (ResourceProvisioner provisioner = new ResourceProvisioner(AwsSettings.from(functionEnv), new FlowgateResources(prefix))) {
                defaults = provisioner.provisionAll(functionEnv);
                functionEnv = deployerKeyAsSecret(functionEnv, provisioner, prefix);
            }
            metadataStore.provision(functionEnv, new FlowgateResources(prefix));
            LocalFunctions functions = platform.apply(functionEnv);
            LocalRuntime runtime = new LocalRuntime(emulator, metadataStore, server, functionEnv, defaults, functions);
            server.start(functions, runtime::health);
            return runtime;
        } catch (RuntimeException e) {
            server.close();
            if (metadataStore != null) {
                metadataStore.close();
            }
            if (emulator != null) {
                emulator.close();
            }
            throw e;
        }
    }

    /**
     * The deployer reads its metadata API key from Secrets Manager, as in AWS: a key given in plain text
     * (METAFLOW_SERVICE_AUTH_KEY) is stored in the emulated Secrets Manager and the deployer is given its ARN.
     */
    private static Environment deployerKeyAsSecret(Environment env, ResourceProvisioner provisioner, String prefix) {
        Optional<String> key = env.get("METAFLOW_SERVICE_AUTH_KEY");
        if (key.isEmpty() || env.get(DeployerWiring.METADATA_API_KEY_SECRET).isPresent()) {
            return env;
        }
        String arn = provisioner.storeSecret(prefix + "-deployer-api-key",
                "x-api-key the deployer sends to the metadata API (local: from METAFLOW_SERVICE_AUTH_KEY)", key.get());
        return env.with(DeployerWiring.METADATA_API_KEY_SECRET, arn).with("METAFLOW_SERVICE_AUTH_KEY", null);
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public AwsEmulator emulator() {
        return emulator;
    }

    public Environment functionEnvironment() {
        return functionEnvironment;
    }

    /** The shell lines that point AWS tools, the Metaflow client and the flowgate commands at this platform. */
    public List<String> exportLines() {
        return LocalShellSettings.exportLines(functionEnvironment);
    }

    public LocalMetadataStore metadataStore() {
        return metadataStore;
    }

    @Override
    public void close() {
        server.close();
        metadataStore.close();
        emulator.close();
    }

    /** Where logs go unless FLOWGATE_LOG_FORMAT says otherwise: one short human line per request. */
    static final String DEFAULT_LOCAL_LOG_FORMAT = "text";

    public static void main(String[] args) {
        // before any logger exists: people read these logs (FLOWGATE_LOG_FORMAT=json for the Lambda JSON lines)
        if (System.getenv("FLOWGATE_LOG_FORMAT") == null && System.getProperty("flowgate.log.format") == null) {
            System.setProperty("flowgate.log.format", DEFAULT_LOCAL_LOG_FORMAT);
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: java -jar local-runtime.jar [--fresh]   (settings come from the environment:"
                    + " FLOWGATE_PORT, FLOWGATE_STATE_DIR, FLOWGATE_METADATA_STORE, FLOWGATE_API_KEY, FLOWGATE_API_KEYS,"
                    + " FLOWGATE_PYTHON, AWS_ENDPOINT_URL, FLOWGATE_GITHUB_WEBHOOK_SECRET, FLOWGATE_LOG_FORMAT=text|json, ...; --fresh empties FLOWGATE_STATE_DIR first)");
            return;
        }
        boolean fresh = args.length > 0 && args[0].equals("--fresh");
        if (args.length > (fresh ? 1 : 0)) {
            System.err.println("flowgate: unknown argument " + args[fresh ? 1 : 0] + " (see --help)");
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        PrintStream out = System.out;
        LocalRuntime runtime;
        try {
            if (fresh) {
                LocalState.directory(Environment.system()).ifPresent(LocalState::erase);
            }
            runtime = start(Environment.system(), LocalPlatform::functions);
        } catch (LocalHttpServer.PortInUseException | EmulatorStartException e) {
            System.err.println("flowgate: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("flowgate: could not start the local platform: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            System.err.println("flowgate: stopped");
        }, "flowgate-shutdown"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        out.println("Flowgate is running on " + runtime.url() + " (emulator: " + runtime.emulator().kind() + " at "
                + runtime.emulator().endpoint() + "; started in " + millis + " ms)");
        runtime.developmentSecrets.forEach((name, value) -> out.println("Development secret " + name + " = " + value
                + "   (set the matching FLOWGATE_* variable to choose your own)"));
        out.println("Point your tools at it (in another terminal: eval \"$(scripts/flowgate env)\" does all of this):");
        runtime.exportLines().forEach(line -> out.println("  " + line));
        out.println("  export PYTHONPATH=\"$PWD/src\"   # in a project made by flowgate new-project (its flow imports src/<project>)");
        out.println("Deploys from: " + runtime.functionEnvironment().get("FLOWGATE_REPOSITORIES")
                .filter(r -> !r.isBlank()).map(r -> "FLOWGATE_REPOSITORIES=" + r)
                .orElse("no repository (set FLOWGATE_REPOSITORIES=owner/repo[:branch[:experimental=GLOB|GLOB]])")
                + "; git repositories under " + LocalPlatform.gitRoot(runtime.functionEnvironment()));
        out.println("Metadata store: " + runtime.metadataStore().summary() + "; "
                + LocalState.summary(LocalState.directory(runtime.functionEnvironment())));
        out.println("Health: curl " + runtime.url() + "/healthz    Stop: Ctrl-C");
        out.flush();
    }
}

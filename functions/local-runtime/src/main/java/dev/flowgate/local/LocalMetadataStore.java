package dev.flowgate.local;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.DynaliteServer;
import dev.flowgate.emulator.EmulatorStartException;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local metadata API keeps its table ({@code FLOWGATE_METADATA_STORE}):
 * <ul>
 *   <li>{@code dynalite} (the default with an embedded moto): a DynamoDB on LevelDB, on disk in the state
 *       directory or in memory. moto's DynamoDB reads the whole table for every Query, so a laptop that has run a
 *       few flows answers list calls in seconds; dynalite answers from a key range (see the metadata-api README
 *       for the numbers). The metadata API reaches it through {@code AWS_ENDPOINT_URL_DYNAMODB}, with the same
 *       DynamoDB adapter as in AWS; every other function and service stays on moto.</li>
 *   <li>{@code emulator} (the default with {@code AWS_ENDPOINT_URL}): the table lives in the AWS emulator with
 *       everything else.</li>
 * </ul>
 */
public final class LocalMetadataStore implements AutoCloseable {
    /** The function environment variable that carries the store's endpoint to the metadata API's wiring. */
    static final String ENDPOINT_VARIABLE = "FLOWGATE_LOCAL_METADATA_DYNAMODB_URL";

    private final String kind;
    private final DynaliteServer dynalite;
    private final Optional<Path> dataDir;

    private LocalMetadataStore(String kind, DynaliteServer dynalite, Optional<Path> dataDir) {
        this.kind = kind;
        this.dynalite = dynalite;
        this.dataDir = dataDir;
    }

    static LocalMetadataStore start(Environment env, AwsEmulator emulator, Optional<Path> dataDir) {
        String defaultKind = "moto".equals(emulator.kind()) ? "dynalite" : "emulator";
        String kind = env.get("FLOWGATE_METADATA_STORE", defaultKind);
        return switch (kind) {
            case "dynalite" -> {
                Path log = Path.of(System.getProperty("java.io.tmpdir"), "flowgate-dynalite-" + ProcessHandle.current().pid() + ".log");
                yield new LocalMetadataStore(kind, DynaliteServer.start(env, dataDir, log, Duration.ofSeconds(30)), dataDir);
            }
            case "emulator", "moto" -> new LocalMetadataStore("emulator", null, Optional.empty());
            default -> throw new EmulatorStartException("FLOWGATE_METADATA_STORE must be dynalite or emulator, got " + kind);
        };
    }

    /** The DynamoDB endpoint of the metadata table when it is not the emulator's. */
    Optional<URI> endpoint() {
        return dynalite == null ? Optional.empty() : Optional.of(dynalite.endpoint());
    }

    /** Creates the metadata table in the store (the emulator's tables are made with everything else). */
    void provision(Environment functionEnv, FlowgateResources names) {
        if (dynalite == null) {
            return;
        }
        AwsSettings settings = AwsSettings.from(functionEnv.with("AWS_ENDPOINT_URL", dynalite.endpoint().toString()));
        try (ResourceProvisioner provisioner = new ResourceProvisioner(settings, names)) {
            provisioner.createTable(FlowgateResources.METADATA);
        }
    }

    /** The metadata API's environment: its DynamoDB client talks to this store. */
    static Environment metadataEnvironment(Environment functionEnv) {
        return functionEnv.get(ENDPOINT_VARIABLE).map(url -> functionEnv.with("AWS_ENDPOINT_URL_DYNAMODB", url))
                .orElse(functionEnv);
    }

    Map<String, Object> describe() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        endpoint().ifPresent(e -> body.put("endpoint", e.toString()));
        body.put("up", dynalite == null || dynalite.isAlive());
        return body;
    }

    String summary() {
        return dynalite == null ? "the AWS emulator" : "dynalite at " + dynalite.endpoint()
                + dataDir.map(d -> " (on disk)").orElse(" (in memory)");
    }

    @Override
    public void close() {
        if (dynalite != null) {
            dynalite.close();
        }
    }
}

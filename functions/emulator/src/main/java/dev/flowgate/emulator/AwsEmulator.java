package dev.flowgate.emulator;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AWS emulator a process talks to over the real SDK wire protocol. Three sources, chosen in order:
 * <ol>
 *   <li>{@code AWS_ENDPOINT_URL} set: an emulator somebody else runs (e.g. {@code scripts/test} starts one);</li>
 *   <li>system property {@code flowgate.emulator=localstack}: LocalStack through Testcontainers (needs a
 *       Docker engine; none of this project's machines has one, so this path is untested here);</li>
 *   <li>otherwise: moto's server mode, started here on 127.0.0.1 ({@code FLOWGATE_EMULATOR_PORT}, default a
 *       free port) and stopped on {@link #close()}.</li>
 * </ol>
 */
public final class AwsEmulator implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final URI endpoint;
    private final String region;
    private final String kind;
    private final AutoCloseable owned;
    private final MotoServer moto;

    private AwsEmulator(URI endpoint, String region, String kind, AutoCloseable owned, MotoServer moto) {
        this.endpoint = endpoint;
        this.region = region;
        this.kind = kind;
        this.owned = owned;
        this.moto = moto;
    }

    public static AwsEmulator start(Environment env) {
        String region = env.get("AWS_REGION", AwsSettings.DEFAULT_REGION);
        var external = env.get("AWS_ENDPOINT_URL");
        if (external.isPresent()) {
            return new AwsEmulator(URI.create(external.get()), region, "external", null, null);
        }
        if ("localstack".equals(System.getProperty("flowgate.emulator"))) {
            LocalStackEmulator localStack = LocalStackEmulator.start();
            return new AwsEmulator(localStack.endpoint(), localStack.region(), "localstack", localStack, null);
        }
        Path python = PythonLocator.locate(env);
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "flowgate-moto-" + ProcessHandle.current().pid() + ".log");
        MotoServer moto = MotoServer.start(python, env.getInt("FLOWGATE_EMULATOR_PORT", 0), log, Duration.ofSeconds(60));
        return new AwsEmulator(moto.endpoint(), region, "moto", moto, moto);
    }

    /**
     * The local platform's emulator: as {@link #start}, and an owned moto (1) runs Step Functions executions from
     * the start — moto keeps executing and non-executing state machines apart, so turning execution on later hides
     * every deployed state machine — and (2) with {@code recordingDir}, records every request there and replays
     * what an earlier platform recorded, so buckets, objects, secrets, tables and state machines survive a restart.
     */
    public static AwsEmulator startLocal(Environment env, Optional<Path> recordingDir) {
        if (env.get("AWS_ENDPOINT_URL").isPresent() || "localstack".equals(System.getProperty("flowgate.emulator"))) {
            return start(env);
        }
        String region = env.get("AWS_REGION", AwsSettings.DEFAULT_REGION);
        Path python = PythonLocator.locate(env);
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "flowgate-moto-" + ProcessHandle.current().pid() + ".log");
        MotoServer moto = MotoServer.start(python, env.getInt("FLOWGATE_EMULATOR_PORT", 0), log, Duration.ofSeconds(60),
                recordingDir.map(dir -> dir.resolve("requests.jsonl")));
        try {
            moto.configure("{\"stepfunctions\":{\"execute_state_machine\":true}}");
            if (recordingDir.isPresent()) {
                moto.replayRecording();
            }
        } catch (RuntimeException e) {
            moto.close();
            throw new EmulatorStartException("moto started but could not be prepared: " + e.getMessage()
                    + (recordingDir.isPresent() ? " (scripts/platform --fresh starts without the saved state)" : ""));
        }
        return new AwsEmulator(moto.endpoint(), region, "moto", moto, moto);
    }

    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    /** {@code moto}, {@code localstack} or {@code external}. */
    public String kind() {
        return kind;
    }

    public AwsSettings settings() {
        return AwsSettings.forEmulator(endpoint, region);
    }

    /**
     * The environment a function under test is built from: the emulator's endpoint and region, its dummy
     * credentials, and a resource prefix of its own so that tests sharing one emulator never collide.
     */
    public Environment environment(String resourcePrefix) {
        return environment(Environment.system(), resourcePrefix);
    }

    /** {@code base} with the emulator's endpoint, region, dummy credentials and the resource prefix on top. */
    public Environment environment(Environment base, String resourcePrefix) {
        return base
                .with("AWS_ENDPOINT_URL", endpoint.toString())
                .with("AWS_REGION", region)
                .with("AWS_ACCESS_KEY_ID", "testing")
                .with("AWS_SECRET_ACCESS_KEY", "testing")
                .with("AWS_SESSION_TOKEN", null)
                .with("FLOWGATE_RESOURCE_PREFIX", resourcePrefix);
    }

    /** A name no other test in this JVM gets: lowercase, starts with {@code prefix}, valid for S3 and DynamoDB. */
    public static String uniqueName(String prefix) {
        return (prefix + "-" + NAMES.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT);
    }

    /** True when the emulator answers (for an owned moto: its process is alive and serving). */
    public boolean isHealthy() {
        if (moto != null) {
            return moto.isAlive();
        }
        try {
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) endpoint.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode();
            connection.disconnect();
            return status > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Empties the emulator, when this process owns it (moto only); otherwise isolation is by unique names. */
    public boolean reset() {
        if (moto == null) {
            return false;
        }
        moto.reset();
        return true;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the " + kind + " emulator: " + e.getMessage(), e);
            }
        }
    }
}

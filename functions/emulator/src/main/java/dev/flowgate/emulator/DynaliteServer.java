package dev.flowgate.emulator;

import dev.flowgate.aws.Environment;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * dynalite (an implementation of the DynamoDB API on LevelDB, from npm) as a child process on 127.0.0.1: the
 * local platform's metadata store. Unlike moto's DynamoDB, which reads every item of a table for each Query,
 * it answers a Query from a key range, so reads stay fast as data accumulates; with a directory it keeps its
 * tables on disk across restarts. It has no TransactWriteItems and no UpdateTimeToLive, so it serves only the
 * metadata table (which needs neither); moto keeps the other tables.
 *
 * <p>Installed by {@code scripts/platform} into {@code functions/emulator/dynalite/node_modules} ({@code npm install}
 * of the pinned version); {@code FLOWGATE_DYNALITE} names another {@code cli.js}, {@code FLOWGATE_NODE}
 * another node.
 */
public final class DynaliteServer implements AutoCloseable {
    static final String INSTALL_DIR = "functions/emulator/dynalite";

    private final ChildServer server;

    private DynaliteServer(ChildServer server) {
        this.server = server;
    }

    /**
     * Starts dynalite on a free port and waits until it answers. {@code dataDir} empty: in memory (gone when it
     * stops); present: LevelDB files in that directory (created when missing).
     */
    public static DynaliteServer start(Environment env, Optional<Path> dataDir, Path logFile, Duration timeout) {
        Path cli = locate(env);
        String node = env.get("FLOWGATE_NODE", "node");
        int port = MotoServer.freePort();
        List<String> command = new ArrayList<>(List.of(node, cli.toString(), "--host", MotoServer.HOST,
                "--port", Integer.toString(port),
                // tables are usable at once, as after CreateTable's ACTIVE wait on AWS
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (dataDir.isPresent()) {
            try {
                Files.createDirectories(dataDir.get());
            } catch (IOException e) {
                throw new EmulatorStartException("cannot create the state directory " + dataDir.get() + ": " + e.getMessage(), e);
            }
            command.addAll(List.of("--path", dataDir.get().toString()));
        }
        ChildServer server = ChildServer.start("dynalite", new ProcessBuilder(command),
                URI.create("http://" + MotoServer.HOST + ":" + port), logFile,
                "install Node 20 and run scripts/platform (it installs dynalite), or set FLOWGATE_NODE");
        // a GET without a target is answered 4xx
        server.awaitReady("/", timeout, (code, tail) -> "dynalite exited with code " + code + " before it was ready"
                + (tail.contains("LOCK") ? " (is another platform using the same state directory? stop it, or choose"
                + " another FLOWGATE_STATE_DIR)" : "") + "; its log ends with: " + tail);
        return new DynaliteServer(server);
    }

    /** {@code FLOWGATE_DYNALITE}, else {@value #INSTALL_DIR}/node_modules/dynalite/cli.js in the working directory or a parent. */
    static Path locate(Environment env) {
        Optional<String> explicit = env.get("FLOWGATE_DYNALITE");
        if (explicit.isPresent()) {
            return Path.of(explicit.get());
        }
        Path relative = Path.of(INSTALL_DIR, "node_modules", "dynalite", "cli.js");
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new EmulatorStartException("dynalite is not installed (" + relative + " not found from "
                + Path.of("").toAbsolutePath() + "): run scripts/platform, which installs it with npm, or set"
                + " FLOWGATE_DYNALITE to its cli.js (FLOWGATE_METADATA_STORE=moto keeps the metadata table in moto)");
    }

    public URI endpoint() {
        return server.endpoint();
    }

    public boolean isAlive() {
        return server.isAlive();
    }

    @Override
    public void close() {
        server.close();
    }
}

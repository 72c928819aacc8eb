package dev.flowgate.emulator;

import dev.flowgate.aws.Environment;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final Thread shutdownHook;

    private DynaliteServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
        this.shutdownHook = new Thread(this::stopProcess, "dynalite-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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
        Process process;
        try {
            if (dataDir.isPresent()) {
                Files.createDirectories(dataDir.get());
                command.addAll(List.of("--path", dataDir.get().toString()));
            }
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        } catch (IOException e) {
            throw new EmulatorStartException("cannot run " + node + " " + cli + " (" + e.getMessage()
                    + "): install Node 20 and run scripts/platform (it installs dynalite), or set FLOWGATE_NODE", e);
        }
        DynaliteServer server = new DynaliteServer(process, URI.create("http://" + MotoServer.HOST + ":" + port), logFile);
        server.awaitReady(timeout);
        return server;
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
        return endpoint;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a leftover log in the temp directory is harmless
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }

    private void stopProcess() {
        process.destroy(); // SIGTERM: LevelDB closes its files
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail();
                stopProcess();
                throw new EmulatorStartException("dynalite exited with code " + process.exitValue()
                        + " before it was ready" + (tail.contains("LOCK") ? " (is another platform using the same"
                        + " state directory? stop it, or choose another FLOWGATE_STATE_DIR)" : "") + "; its log ends with: " + tail);
            }
            if (answers()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmulatorStartException("interrupted while waiting for dynalite");
            }
        }
        stopProcess();
        throw new EmulatorStartException("dynalite did not answer on " + endpoint + " within " + timeout.toSeconds()
                + " s; see " + log);
    }

    private boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode(); // a GET without a target is answered 4xx
            connection.disconnect();
            return status > 0 && status < 500;
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}

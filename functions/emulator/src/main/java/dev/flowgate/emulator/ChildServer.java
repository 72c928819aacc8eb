package dev.flowgate.emulator;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * An emulator's child process on 127.0.0.1 (moto, dynalite), what both need around it: its output in a log file,
 * a wait until it answers HTTP, and a stop — by {@link #close()} or, should the JVM exit first, by a shutdown hook —
 * that takes its child processes with it, so no process is left behind.
 */
final class ChildServer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final Thread shutdownHook;

    private ChildServer(String name, Process process, URI endpoint, Path log) {
        this.name = name;
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
        this.shutdownHook = new Thread(this::stopProcess, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code builder} with its output in {@code logFile}; {@code cannotRunHint} says what to install when the
     * program cannot be run at all.
     */
    static ChildServer start(String name, ProcessBuilder builder, URI endpoint, Path logFile, String cannotRunHint) {
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Process process = builder.redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            return new ChildServer(name, process, endpoint, logFile);
        } catch (IOException e) {
            throw new EmulatorStartException("cannot run " + String.join(" ", builder.command().subList(0, 1))
                    + " (" + e.getMessage() + "): " + cannotRunHint, e);
        }
    }

    /**
     * Waits until a GET of {@code probePath} is answered below 500. Should the process exit first,
     * {@code earlyExit} (exit code, the last lines of its log) says why.
     */
    void awaitReady(String probePath, Duration timeout, BiFunction<Integer, String, String> earlyExit) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail();
                stopProcess();
                throw new EmulatorStartException(earlyExit.apply(process.exitValue(), tail));
            }
            if (answers(probePath)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopProcess();
                throw new EmulatorStartException("interrupted while waiting for " + name);
            }
        }
        stopProcess();
        throw new EmulatorStartException(name + " did not answer on " + endpoint + " within " + timeout.toSeconds()
                + " s; see " + log);
    }

    URI endpoint() {
        return endpoint;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Files.deleteIfExists(log); // kept only when the process failed to start, for the error message's pointer
        } catch (IOException ignored) {
            // a leftover log in the temp directory is harmless
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }

    /** SIGTERM first (dynalite's LevelDB closes its files, moto's workers end), then SIGKILL after 5 s. */
    private void stopProcess() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean answers(String probePath) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve(probePath).toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode();
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

package dev.flowgate.emulator;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * moto in server mode ({@code python -m moto.server}) as a child process on 127.0.0.1: one emulator for
 * every AWS service over the real wire protocol. The process is stopped by {@link #close()} and, should the
 * JVM exit first, by a shutdown hook, so no process is left behind.
 */
public final class MotoServer implements AutoCloseable {
    public static final String HOST = "127.0.0.1";

    private final ChildServer server;
    private final URI endpoint;

    private MotoServer(ChildServer server) {
        this.server = server;
        this.endpoint = server.endpoint();
    }

    /** Starts moto on {@code port} (0 = any free port) and waits until it answers. */
    public static MotoServer start(Path python, int port, Path logFile, Duration timeout) {
        return start(python, port, logFile, timeout, Optional.empty());
    }

    /**
     * As {@link #start(Path, int, Path, Duration)}; with a {@code recording} file, moto appends every request it
     * serves to it (its request recorder), so that {@link #replayRecording()} can rebuild the state in a later process.
     */
    public static MotoServer start(Path python, int port, Path logFile, Duration timeout, Optional<Path> recording) {
        int chosen = port == 0 ? freePort() : port;
        if (isListening(chosen)) {
            throw new EmulatorStartException("port " + chosen + " on " + HOST
                    + " is already in use; stop what runs there or choose another emulator port");
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(python.toString(), "-m", "moto.server",
                "-H", HOST, "-p", Integer.toString(chosen)));
        builder.environment().put("MOTO_ALLOW_NONEXISTENT_REGION", "true");
        if (recording.isPresent()) {
            try {
                Files.createDirectories(recording.get().toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new EmulatorStartException("cannot create the directory of " + recording.get() + ": " + e.getMessage(), e);
            }
            builder.environment().put("MOTO_ENABLE_RECORDING", "true");
            builder.environment().put("MOTO_RECORDER_FILEPATH", recording.get().toAbsolutePath().toString());
        }
        ChildServer server = ChildServer.start("moto", builder, URI.create("http://" + HOST + ":" + chosen), logFile,
                "install Python 3 and run scripts/bootstrap-python, or set FLOWGATE_PYTHON");
        server.awaitReady("/moto-api/", timeout, (code, tail) -> tail.contains("No module named")
                ? "moto is not installed for " + python + ": run scripts/bootstrap-python (scripts/platform and scripts/test do it for you)"
                : "moto exited with code " + code + " before it was ready; its log " + server.log() + " ends with: " + tail);
        return new MotoServer(server);
    }

    public URI endpoint() {
        return endpoint;
    }

    public long pid() {
        return server.pid();
    }

    public boolean isAlive() {
        return server.isAlive();
    }

    /** Forgets every resource moto holds (its {@code /moto-api/reset} endpoint). */
    public void reset() {
        post("/moto-api/reset", "", Duration.ofSeconds(10));
    }

    /**
     * Sets moto's configuration ({@code /moto-api/config}), e.g. {@code {"stepfunctions":{"execute_state_machine":true}}}.
     * Set Step Functions execution before anything is created: moto keeps executing and non-executing state
     * machines in two separate stores, so switching later hides every state machine created before.
     */
    public void configure(String json) {
        post("/moto-api/config", json, Duration.ofSeconds(10));
    }

    /**
     * Replays the requests recorded by an earlier moto with the same recording file (nothing when there are none),
     * rebuilding its buckets, objects, secrets, tables and state machines; the replay itself is not recorded again.
     */
    public void replayRecording() {
        post("/moto-api/recorder/replay-recording", "", Duration.ofMinutes(10));
    }

    private void post(String path, String body, Duration readTimeout) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(2000);
            connection.setReadTimeout((int) readTimeout.toMillis());
            connection.setDoOutput(true);
            try (var out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            int status = connection.getResponseCode();
            connection.disconnect();
            if (status >= 300) {
                throw new IllegalStateException("moto " + path + " answered " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmulatorStartException("cannot find a free port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.flowgate.emulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MotoServerTest {

    @Test
    void start_whenPythonMissing_saysWhatToDo(@TempDir Path dir) {
        assertThatThrownBy(() -> MotoServer.start(dir.resolve("no-such-python"), 0, dir.resolve("moto.log"), Duration.ofSeconds(5)))
                .isInstanceOf(EmulatorStartException.class)
                .hasMessageContaining("scripts/bootstrap-python");
    }

    @Test
    void start_whenPortTaken_failsBeforeStartingAnything(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(MotoServer.HOST))) {
            assertThatThrownBy(() -> MotoServer.start(Path.of("python3"), taken.getLocalPort(), dir.resolve("moto.log"), Duration.ofSeconds(5)))
                    .isInstanceOf(EmulatorStartException.class)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void start_whenMotoNotInstalled_pointsToBootstrap(@TempDir Path dir) {
        // plain system python3 without moto on its path: PYTHONNOUSERSITE keeps user installs out
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(python.toFile().canExecute(), "needs a system python3");
        org.junit.jupiter.api.Assumptions.assumeFalse(hasMoto(python), "system python3 has moto installed");
        assertThatThrownBy(() -> MotoServer.start(python, 0, dir.resolve("moto.log"), Duration.ofSeconds(20)))
                .isInstanceOf(EmulatorStartException.class)
                .hasMessageContaining("moto is not installed");
    }

    private static boolean hasMoto(Path python) {
        try {
            return new ProcessBuilder(python.toString(), "-c", "import moto").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

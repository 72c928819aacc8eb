package dev.flowgate.emulator;

import dev.flowgate.aws.Environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the Python that has moto installed: {@code FLOWGATE_PYTHON} when set, else the project's virtualenv
 * ({@code .venv/bin/python} in the working directory or one of its parents, as {@code scripts/bootstrap-python}
 * creates it), else {@code python3} on the PATH.
 */
public final class PythonLocator {
    private PythonLocator() {
    }

    public static Path locate(Environment env) {
        Optional<String> explicit = env.get("FLOWGATE_PYTHON");
        if (explicit.isPresent()) {
            return Path.of(explicit.get());
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(".venv").resolve("bin").resolve("python");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return Path.of("python3");
    }
}

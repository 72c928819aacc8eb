package dev.flowgate.compiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Metaflow of the project venv ({@code scripts/bootstrap-python}), run in a directory of its own with the
 * local metadata provider and datastore: what the ITs compare Flowgate's compiled flows against.
 */
final class LocalMetaflow {
    static final Path PYTHON = Path.of("../../.venv/bin/python").toAbsolutePath().normalize();

    private LocalMetaflow() {
    }

    /** Exit code and combined output of {@code python <args>} run in {@code dir} (which is also on PYTHONPATH). */
    record Result(int exit, String output) {
    }

    static Result run(Path dir, List<String> args) throws IOException, InterruptedException {
        assertThat(PYTHON).as("the project venv (scripts/bootstrap-python)").exists();
        List<String> command = new ArrayList<>();
        command.add(PYTHON.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("METAFLOW_HOME", dir.resolve(".mfhome").toString());
        env.put("METAFLOW_DEFAULT_METADATA", "local");
        env.put("METAFLOW_DEFAULT_DATASTORE", "local");
        env.put("METAFLOW_DATASTORE_SYSROOT_LOCAL", dir.toString());
        env.put("USERNAME", "flowgate-test");
        env.put("PYTHONPATH", dir.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** The output of a command that must succeed. */
    static String succeed(Path dir, List<String> args) throws IOException, InterruptedException {
        Result result = run(dir, args);
        assertThat(result.exit()).as(result.output()).isZero();
        return result.output();
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.aws.Environment;
import dev.flowgate.emulator.PythonLocator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A package assembled for an experimental deployment runs a real Metaflow flow: the layer is the installed
 * {@code metaflow} library of the project's Python, the package is extracted as a Batch container would
 * ({@code tar -xzf}, {@code PYTHONPATH=.mf_code}) and the flow's steps run from it. (Test code runs the flow;
 * the deployer itself never executes user code.)
 */
class ExperimentalPackageRunsIT {
    static final String FLOW = """
            import metaflow
            from metaflow import FlowSpec, step
            from helpers.util import X

            class HelloFlow(FlowSpec):
                @step
                def start(self):
                    print("library", metaflow.__file__)
                    self.x = X
                    self.next(self.end)

                @step
                def end(self):
                    print("X is", self.x)

            if __name__ == "__main__":
                HelloFlow()
            """;

    /** The installed metaflow library of the project's Python as a runtime layer (skips the test without one). */
    private static Map<String, byte[]> installedLayer(Path python, Path tmp) throws Exception {
        return layerOf(installedLibrary(python, tmp), relative -> relative.matches(".*\\.(py|html|css|js)$"));
    }

    private static Path installedLibrary(Path python, Path tmp) throws Exception {
        String located = run(List.of(python.toString(), "-c", "import metaflow, os; print(os.path.dirname(metaflow.__file__))"),
                tmp, Map.of());
        assumeTrue(located.startsWith("0\n"), "metaflow is not installed for " + python);
        return Path.of(located.substring(2).trim());
    }

    private static Map<String, byte[]> layerOf(Path library, Predicate<String> include) throws IOException {
        Map<String, byte[]> layer = new TreeMap<>();
        try (Stream<Path> files = Files.walk(library)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = library.relativize(file).toString();
                if (!relative.contains("__pycache__") && include.test(relative)) {
                    layer.put("metaflow/" + relative, Files.readAllBytes(file));
                }
            }
        }
        return layer;
    }

    /** The library scripts/publish-metaflow-layer archives (every file but __pycache__) is the pinned wheel. */
    @Test
    void theInstalledPinnedMetaflowAsALayer_isTrusted(@TempDir Path tmp) throws Exception {
        Map<String, byte[]> layer = layerOf(installedLibrary(PythonLocator.locate(Environment.system()), tmp), relative -> true);

        assertThat(layer).hasSizeGreaterThan(400);
        assertThat(TrustedMetaflow.layerProblems(layer)).isEmpty();
    }

    static final String CONFIG_FLOW = """
            from metaflow import FlowSpec, Config, resources, step

            class ConfFlow(FlowSpec):
                train = Config("train", default="conf/train.json")
                limits = Config("limits", default_value={"seconds": 300})

                @resources(cpu=train.cpu)
                @step
                def start(self):
                    print("cpu is", self.train.cpu, "seconds", self.limits.seconds)
                    self.next(self.end)

                @step
                def end(self):
                    pass

            if __name__ == "__main__":
                ConfFlow()
            """;

    /**
     * A Config's default file is not packaged (only .py files are), so a container started as the compiled state
     * machine starts it ({@code METAFLOW_FLOW_CONFIG_VALUE {"name": "kv.name"}}) reads the values from the package's
     * {@code .mf_meta/CONFIG}: with the values the deployer writes the flow runs and sees them; without, it fails.
     */
    @Test
    void assembledPackage_carriesTheConfigValuesAContainerReads(@TempDir Path tmp) throws Exception {
        Path python = PythonLocator.locate(Environment.system());
        Map<String, byte[]> layer = installedLayer(python, tmp);
        Map<String, byte[]> user = Map.of("conf_flow.py", CONFIG_FLOW.getBytes(StandardCharsets.UTF_8));
        Map<String, String> values = new dev.flowgate.deployer.adapter.MetaflowFlowCompiler().configValues(
                dev.flowgate.deployer.port.FlowCompiler.CompileRequest.builder()
                        .flowSource(CONFIG_FLOW).fileName("conf_flow.py").flowName("ConfFlow").settings(Map.of())
                        .owner("flowgate")
                        .files(path -> path.equals("conf/train.json")
                                ? java.util.Optional.of("{\"cpu\": 3}".getBytes(StandardCharsets.UTF_8))
                                : java.util.Optional.empty())
                        .build());
        Map<String, String> env = Map.of("USER", "flowgate-test", "HOME", tmp.toString(),
                "METAFLOW_DEFAULT_METADATA", "local", "METAFLOW_DEFAULT_DATASTORE", "local",
                "METAFLOW_DATASTORE_SYSROOT_LOCAL", tmp.resolve("datastore").toString(),
                "METAFLOW_FLOW_CONFIG_VALUE", "{\"limits\": \"kv.limits\", \"train\": \"kv.train\"}");

        Path with = Files.createDirectories(tmp.resolve("with"));
        extract(CodePackageAssembler.assemble(layer, user, List.of(), "{\"script\": \"conf_flow.py\"}", values), with);
        String output = run(List.of(python.toString(), "conf_flow.py", "--no-pylint", "run"), with,
                withPythonPath(env, with));
        Path without = Files.createDirectories(tmp.resolve("without"));
        extract(CodePackageAssembler.assemble(layer, user, List.of(), "{\"script\": \"conf_flow.py\"}"), without);
        String failed = run(List.of(python.toString(), "conf_flow.py", "--no-pylint", "run"), without,
                withPythonPath(env, without));

        assertThat(values).containsOnlyKeys("train", "limits");
        assertThat(output).startsWith("0\n").contains("cpu is 3 seconds 300");
        assertThat(failed).doesNotStartWith("0\n").contains("Could not load expected configuration values");
    }

    private static Map<String, String> withPythonPath(Map<String, String> env, Path work) {
        Map<String, String> all = new TreeMap<>(env);
        all.put("PYTHONPATH", work.resolve(".mf_code").toString());
        return all;
    }

    @Test
    void assembledPackage_runsAFlowWithTheBundledLibrary(@TempDir Path tmp) throws Exception {
        Path python = PythonLocator.locate(Environment.system());
        Map<String, byte[]> layer = installedLayer(python, tmp);
        Map<String, byte[]> user = Map.of("helloflow.py", FLOW.getBytes(StandardCharsets.UTF_8),
                "helpers/__init__.py", new byte[0], "helpers/util.py", "X = 42\n".getBytes(StandardCharsets.UTF_8));
        byte[] archive = CodePackageAssembler.assemble(layer, user, List.of(), "{\"script\": \"helloflow.py\"}");
        Path work = Files.createDirectories(tmp.resolve("task"));
        extract(archive, work);

        String output = run(List.of(python.toString(), "helloflow.py", "--no-pylint", "run"), work, Map.of(
                "PYTHONPATH", work.resolve(".mf_code").toString(),
                "USER", "flowgate-test", "HOME", tmp.toString(),
                "METAFLOW_DEFAULT_METADATA", "local", "METAFLOW_DEFAULT_DATASTORE", "local",
                "METAFLOW_DATASTORE_SYSROOT_LOCAL", tmp.resolve("datastore").toString()));

        assertThat(output).startsWith("0\n").contains("X is 42")
                .contains("library " + work.resolve(".mf_code/metaflow/__init__.py"));
    }

    private static void extract(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("member escapes the extraction directory: " + entry.getName());
                }
                Files.createDirectories(file.getParent());
                Files.write(file, tar.readAllBytes());
            }
        }
    }

    /** Runs a command; returns its exit code, a newline, then its combined output. */
    private static String run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (!env.isEmpty()) {
            String path = System.getenv("PATH");
            builder.environment().clear();
            builder.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
            builder.environment().putAll(env);
        }
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timeout\n" + new String(out, StandardCharsets.UTF_8);
        }
        return process.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }
}

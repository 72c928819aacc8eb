package dev.flowgate.compiler.parse;

import java.util.Map;
import java.util.Optional;

/**
 * Where a flow's {@code Config} values come from at compile time, as Metaflow determines them when it deploys:
 * {@code overrides} (config name → JSON text, from {@code --config NAME PATH} / {@code --config-value NAME JSON})
 * win over the Config's own {@code default_value=} literal or {@code default=} file, which {@code files} reads.
 */
public record ConfigInputs(ConfigFiles files, Map<String, String> overrides) {

    public ConfigInputs {
        overrides = Map.copyOf(overrides);
    }

    /** No files and no overrides: only {@code default_value=} literals resolve. */
    public static ConfigInputs none() {
        return new ConfigInputs(path -> Optional.empty(), Map.of());
    }

    public static ConfigInputs of(ConfigFiles files) {
        return new ConfigInputs(files, Map.of());
    }

    public ConfigInputs withOverrides(Map<String, String> jsonByConfigName) {
        return new ConfigInputs(files, jsonByConfigName);
    }

    /**
     * Reads a {@code Config(default="path")} file: the path as written in the flow, relative to the flow file's
     * directory (the CLI reads the disk, the deployer the commit's git tree). Empty when there is no such file.
     */
    @FunctionalInterface
    public interface ConfigFiles {
        Optional<String> read(String pathRelativeToFlowDirectory);
    }
}

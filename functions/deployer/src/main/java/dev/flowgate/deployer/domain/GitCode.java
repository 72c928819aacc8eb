package dev.flowgate.deployer.domain;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The side of the production gate's comparison that comes from git at the deployed commit: the repository tree, the
 * flow's file in it (repository-relative), the package suffixes of {@code flowgate.yaml}, and the Config values the
 * compiler resolved from the repository's files.
 */
public record GitCode(List<TreeEntry> tree, String flowFile, List<String> suffixes, Map<String, String> configs) {
    public GitCode {
        tree = List.copyOf(tree);
        Objects.requireNonNull(flowFile, "flowFile");
        suffixes = List.copyOf(suffixes);
        configs = Map.copyOf(configs);
    }

    /** The directory the flow file sits in ("" for the repository root): Metaflow packages it as the user files. */
    public String flowDirectory() {
        int slash = flowFile.lastIndexOf('/');
        return slash < 0 ? "" : flowFile.substring(0, slash);
    }
}

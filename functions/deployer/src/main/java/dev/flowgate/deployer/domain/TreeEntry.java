package dev.flowgate.deployer.domain;

/** One entry of a git tree listing: repo-root-relative path, git mode (100644, 100755, 120000...), type, blob id. */
public record TreeEntry(String path, String mode, String type, String sha) {
    public boolean isSymlink() {
        return "120000".equals(mode);
    }

    public boolean isSubmodule() {
        return "160000".equals(mode) || "commit".equals(type);
    }
}

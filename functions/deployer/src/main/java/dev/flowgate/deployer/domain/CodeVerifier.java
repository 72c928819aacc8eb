package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares a package's user files with the git tree under the flow's directory, applying Metaflow's own
 * selection rules on the git side: suffix match (case-insensitive), hidden files and directories skipped,
 * {@code __pycache__}, {@code .mf_code}, {@code .mf_meta} and {@code _escape_trampolines} skipped. Symlinks
 * and submodules under the flow directory are reported as mismatches (Metaflow dereferences links, git does not).
 */
public final class CodeVerifier {
    private CodeVerifier() {
    }

    public static CodeComparison compare(Map<String, String> packageFiles, List<TreeEntry> tree, String flowDirectory,
                                         List<String> suffixes) {
        Selection selection = select(tree, flowDirectory, suffixes);
        Map<String, TreeEntry> git = selection.files();
        List<String> links = selection.links();
        List<String> mismatched = new ArrayList<>();
        List<String> onlyInPackage = new ArrayList<>();
        packageFiles.forEach((path, blobId) -> {
            TreeEntry entry = git.get(path);
            if (entry == null) {
                if (links.stream().anyMatch(l -> path.equals(l) || path.startsWith(l + "/"))) {
                    mismatched.add(path);
                } else {
                    onlyInPackage.add(path);
                }
            } else if (!entry.sha().equals(blobId)) {
                mismatched.add(path);
            }
        });
        List<String> onlyInGit = git.keySet().stream().filter(p -> !packageFiles.containsKey(p)).toList();
        return new CodeComparison(packageFiles.size(), mismatched, onlyInPackage, onlyInGit);
    }

    /**
     * The files Metaflow would package from the flow directory of this tree (paths relative to that directory),
     * and the symlinks/submodules found there (which Metaflow would dereference and git cannot reproduce).
     */
    public static Selection select(List<TreeEntry> tree, String flowDirectory, List<String> suffixes) {
        String prefix = flowDirectory.isEmpty() ? "" : flowDirectory + "/";
        Map<String, TreeEntry> git = new TreeMap<>();
        List<String> links = new ArrayList<>();
        for (TreeEntry entry : tree) {
            if (!entry.path().startsWith(prefix) || "tree".equals(entry.type())) {
                continue;
            }
            String relative = entry.path().substring(prefix.length());
            if (skippedDirectory(relative)) {
                continue;
            }
            if (entry.isSymlink() || entry.isSubmodule()) {
                links.add(relative);
                continue;
            }
            if (packaged(relative, suffixes)) {
                git.put(relative, entry);
            }
        }
        return new Selection(git, links);
    }

    /** Packaged files by relative path, and links/submodules under the flow directory. */
    public record Selection(Map<String, TreeEntry> files, List<String> links) {
    }

    static boolean skippedDirectory(String relative) {
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            String dir = parts[i];
            if (dir.startsWith(".") || dir.equals("__pycache__") || dir.equals("_escape_trampolines")) {
                return true;
            }
        }
        return false;
    }

    static boolean packaged(String relative, List<String> suffixes) {
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        String lower = name.toLowerCase(Locale.ROOT);
        for (String suffix : suffixes) {
            String s = suffix.toLowerCase(Locale.ROOT);
            if (name.startsWith(".") ? lower.equals(s) : lower.endsWith(s)) {
                return true;
            }
        }
        return false;
    }
}

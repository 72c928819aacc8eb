package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * File-by-file comparison of a code package's user files with the git tree at a commit.
 *
 * @param files         how many user files the package holds
 * @param mismatched    in both, different content
 * @param onlyInPackage in the package, not in git (untracked or generated files, symlink targets)
 * @param onlyInGit     in git under the flow directory with a packaged suffix, not in the package
 */
public record CodeComparison(int files, List<String> mismatched, List<String> onlyInPackage, List<String> onlyInGit) {
    public CodeComparison {
        mismatched = List.copyOf(mismatched);
        onlyInPackage = List.copyOf(onlyInPackage);
        onlyInGit = List.copyOf(onlyInGit);
    }

    public boolean identical() {
        return mismatched.isEmpty() && onlyInPackage.isEmpty() && onlyInGit.isEmpty();
    }

    public List<String> differingFiles() {
        List<String> all = new ArrayList<>(mismatched);
        all.addAll(onlyInPackage);
        all.addAll(onlyInGit);
        return all;
    }

    public String summary() {
        List<String> parts = new ArrayList<>();
        if (!mismatched.isEmpty()) {
            parts.add("differ: " + String.join(", ", mismatched));
        }
        if (!onlyInPackage.isEmpty()) {
            parts.add("only in package: " + String.join(", ", onlyInPackage));
        }
        if (!onlyInGit.isEmpty()) {
            parts.add("only in git: " + String.join(", ", onlyInGit));
        }
        return parts.isEmpty() ? "identical" : String.join("; ", parts);
    }
}

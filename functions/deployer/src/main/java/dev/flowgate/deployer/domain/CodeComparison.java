package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Member-by-member account of a code package against the git tree at a commit (deploy contracts §1.8).
 *
 * @param files         how many user files the package holds
 * @param mismatched    in both, different content (user files by their path, module files by their archive path)
 * @param onlyInPackage in the package, not in git (untracked or generated files, symlink targets)
 * @param onlyInGit     in git under the flow directory (or a packaged module's directory), not in the package
 * @param unaccounted   members the gate cannot account for (unknown code, untrusted library, non-regular, unsafe, oversized)
 */
public record CodeComparison(int files, List<String> mismatched, List<String> onlyInPackage, List<String> onlyInGit,
                             List<Unaccounted> unaccounted) {
    public CodeComparison {
        mismatched = List.copyOf(mismatched);
        onlyInPackage = List.copyOf(onlyInPackage);
        onlyInGit = List.copyOf(onlyInGit);
        unaccounted = List.copyOf(unaccounted);
    }

    public CodeComparison(int files, List<String> mismatched, List<String> onlyInPackage, List<String> onlyInGit) {
        this(files, mismatched, onlyInPackage, onlyInGit, List.of());
    }

    public CodeComparison with(List<String> moreMismatched, List<String> moreOnlyInPackage, List<String> moreOnlyInGit,
                               List<Unaccounted> moreUnaccounted) {
        return new CodeComparison(files, concat(mismatched, moreMismatched), concat(onlyInPackage, moreOnlyInPackage),
                concat(onlyInGit, moreOnlyInGit), concat(unaccounted, moreUnaccounted));
    }

    public boolean identical() {
        return mismatched.isEmpty() && onlyInPackage.isEmpty() && onlyInGit.isEmpty() && unaccounted.isEmpty();
    }

    public List<String> differingFiles() {
        List<String> all = new ArrayList<>(mismatched);
        all.addAll(onlyInPackage);
        all.addAll(onlyInGit);
        unaccounted.forEach(u -> all.add(u.member()));
        return all;
    }

    public String summary() {
        List<String> parts = new ArrayList<>();
        if (!unaccounted.isEmpty()) {
            parts.add("unaccounted: " + String.join("; ", unaccounted.stream().map(Unaccounted::toString).toList()));
        }
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

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}

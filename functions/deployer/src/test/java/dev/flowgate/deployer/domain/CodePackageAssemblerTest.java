package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.fakes.TestPackages;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodePackageAssemblerTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void assemble_isDeterministicAndInMetaflowLayoutV1() throws IOException {
        Map<String, byte[]> user = new LinkedHashMap<>();
        user.put("run.sh", b("#!/bin/sh\n"));
        user.put("demoflow.py", b("flow"));
        byte[] one = CodePackageAssembler.assemble(Map.of("metaflow/__init__.py", b("# mf")), user, List.of("run.sh"), "{}");
        Map<String, byte[]> reordered = new LinkedHashMap<>();
        reordered.put("demoflow.py", b("flow"));
        reordered.put("run.sh", b("#!/bin/sh\n"));
        byte[] two = CodePackageAssembler.assemble(Map.of("metaflow/__init__.py", b("# mf")), reordered, List.of("run.sh"), "{}");

        assertThat(two).isEqualTo(one);
        assertThat(Arrays.copyOfRange(one, 0, 10)).containsExactly(0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(one)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                names.add(entry.getName());
                assertThat(entry.getModTime().getTime()).isEqualTo(1575360000L * 1000);
                assertThat(entry.getMode() & 0777).isEqualTo(entry.getName().equals("run.sh") ? 0755 : 0644);
            }
        }
        assertThat(names).containsExactly(".mf_code/metaflow/__init__.py", ".mf_install", ".mf_meta/CONFIG",
                ".mf_meta/DIST_INFO", ".mf_meta/INFO", "demoflow.py", "run.sh");
        assertThat(CodePackageReader.userFiles("F", one)).containsOnlyKeys("demoflow.py", "run.sh");
    }

    @Test
    void readLayer_requiresTheMetaflowPackage() {
        assertThat(CodePackageAssembler.readLayer(TestPackages.tgz(Map.of("metaflow/__init__.py", "x", "metaflow/a.py", "y"))))
                .containsOnlyKeys("metaflow/__init__.py", "metaflow/a.py");
        assertThatThrownBy(() -> CodePackageAssembler.readLayer(TestPackages.tgz(Map.of("other/x.py", "x"))))
                .hasMessageContaining("metaflow/__init__.py");
    }
}

package dev.flowgate.deployer.fakes;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds code packages shaped like Metaflow's (layout v1: .mf_code, .mf_meta, .mf_install, user files at the root). */
public final class TestPackages {
    /** The stand-in library's version, pinned only on the test classpath (src/test/resources/trusted-metaflow). */
    public static final String TEST_METAFLOW_VERSION = "0.0.0+flowgate.test";

    private TestPackages() {
    }

    public static byte[] v1(Map<String, String> userFiles) {
        Map<String, String> members = new LinkedHashMap<>();
        members.put(".mf_code/metaflow/__init__.py", "# metaflow library\n");
        members.put(".mf_code/metaflow/cli.py", "def main(): pass\n");
        members.put(".mf_meta/INFO", "{\"script\": \"demoflow.py\", \"metaflow_version\": \"" + TEST_METAFLOW_VERSION + "\"}");
        members.put(".mf_meta/CONFIG", "{}");
        members.put(".mf_meta/DIST_INFO", "{}");
        members.put(".mf_install", "{\"version\": 1, \"module_files\": []}");
        members.putAll(userFiles);
        return tgz(members);
    }

    /** The stand-in library as a runtime layer (scripts/publish-metaflow-layer's shape), exactly as pinned. */
    public static Map<String, String> layer() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("metaflow/__init__.py", "# metaflow library\n");
        files.put("metaflow/cli.py", "def main(): pass\n");
        files.put("metaflow/version.py", "metaflow_version = \"" + TEST_METAFLOW_VERSION + "\"\n");
        return files;
    }

    public static byte[] tgz(Map<String, String> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(3);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, parameters))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> member : members.entrySet()) {
                byte[] bytes = member.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(member.getKey());
                entry.setSize(bytes.length);
                entry.setMode(0100664);
                entry.setModTime(1575360000L * 1000);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package dev.flowgate.deployer.domain;

import dev.flowgate.model.json.FlowgateJson;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a code package for an experimental deployment in Metaflow's layout v1 from the git tree at a commit
 * plus the platform's Metaflow runtime layer: {@code .mf_code/<layer files>}, {@code .mf_meta/INFO|CONFIG|DIST_INFO},
 * {@code .mf_install}, then the user files at the root. The bytes are deterministic (sorted members, fixed
 * mtime 1575360000, uid/gid 0, mode 0644 or 0755, gzip level 3 with a zero header mtime), so the same commit
 * and layer always give the same content address.
 */
public final class CodePackageAssembler {
    static final long MTIME_SECONDS = 1575360000L;

    private CodePackageAssembler() {
    }

    /**
     * @param layer      runtime files by path relative to {@code .mf_code} (e.g. {@code metaflow/cli.py})
     * @param userFiles  user files by path relative to the flow directory
     * @param executable user files whose git mode is 100755
     * @param info       the INFO JSON (script name, commit, branch)
     */
    public static byte[] assemble(Map<String, byte[]> layer, Map<String, byte[]> userFiles, List<String> executable,
                                  String info) {
        return assemble(layer, userFiles, executable, info, Map.of());
    }

    /**
     * As above, with the flow's Config values (name → JSON text) in {@code .mf_meta/CONFIG} as Metaflow writes them,
     * {@code {"user_configs": {"name": [value, false]}}}: a container started with {@code METAFLOW_FLOW_CONFIG_VALUE}
     * {@code {"name": "kv.name"}} reads them there and fails without them. No Configs: {@code {}}, as before.
     */
    public static byte[] assemble(Map<String, byte[]> layer, Map<String, byte[]> userFiles, List<String> executable,
                                  String info, Map<String, String> userConfigs) {
        Map<String, byte[]> generated = new TreeMap<>();
        generated.put(".mf_meta/CONFIG", configFile(userConfigs).getBytes(StandardCharsets.UTF_8));
        generated.put(".mf_meta/DIST_INFO", "{}".getBytes(StandardCharsets.UTF_8));
        generated.put(".mf_meta/INFO", info.getBytes(StandardCharsets.UTF_8));
        generated.put(".mf_install", "{\"version\": 1, \"module_files\": []}".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GzipParameters gzip = new GzipParameters();
        gzip.setCompressionLevel(3);
        gzip.setModificationTime(0);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, gzip))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, byte[]> file : new TreeMap<>(layer).entrySet()) {
                write(tar, ".mf_code/" + file.getKey(), file.getValue(), false);
            }
            for (Map.Entry<String, byte[]> file : generated.entrySet()) {
                write(tar, file.getKey(), file.getValue(), false);
            }
            for (Map.Entry<String, byte[]> file : new TreeMap<>(userFiles).entrySet()) {
                write(tar, file.getKey(), file.getValue(), executable.contains(file.getKey()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String configFile(Map<String, String> userConfigs) {
        if (userConfigs.isEmpty()) {
            return "{}";
        }
        StringBuilder json = new StringBuilder("{\"user_configs\": {");
        new TreeMap<>(userConfigs).forEach((name, value) -> json.append(json.charAt(json.length() - 1) == '{' ? "" : ", ")
                .append(FlowgateJson.write(name)).append(": [").append(value).append(", false]"));
        return json.append("}}").toString();
    }

    /** Reads a runtime layer archive (tar.gz of {@code metaflow/**} as installed in site-packages). */
    public static Map<String, byte[]> readLayer(byte[] archive) {
        Map<String, byte[]> files = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (entry.isFile() && !name.startsWith("/") && !List.of(name.split("/")).contains("..")) {
                    files.put(name, tar.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new DeployError.Unavailable("the Metaflow runtime layer is not a readable tar.gz: " + e.getMessage(), e);
        }
        if (files.keySet().stream().noneMatch(n -> n.equals("metaflow/__init__.py"))) {
            throw new DeployError.Unavailable("the Metaflow runtime layer has no metaflow/__init__.py", null);
        }
        return files;
    }

    private static void write(TarArchiveOutputStream tar, String name, byte[] bytes, boolean executable) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(executable ? 0100755 : 0100644);
        entry.setModTime(MTIME_SECONDS * 1000);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}

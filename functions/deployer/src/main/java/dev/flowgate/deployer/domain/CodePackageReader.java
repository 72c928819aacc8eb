package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a Metaflow code package (tar.gz) and keeps the user files by Metaflow's layout rules: layout v1
 * (Metaflow ≥ 2.16, {@code .mf_install} present) drops {@code .mf_install}, {@code .mf_meta/**} and
 * {@code .mf_code/**}; layout v0 drops {@code metaflow/**}, {@code metaflow_extensions/**}, INFO and the
 * decorator files at the root. Each user file maps to its git blob id, so it compares with a git tree
 * without downloading any blob.
 */
public final class CodePackageReader {
    private static final List<String> V0_GENERATED = List.of("INFO", "CONFIG", "CONFIG_PARAMETERS",
            "conda.manifest", "condav2-1.cnd");
    private static final int MAX_FILES = 100_000;

    private CodePackageReader() {
    }

    /** SHA-1 of the bytes, lowercase hex (the package's content address). */
    public static String sha1(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Git's blob id of a file's bytes: SHA-1 over {@code "blob <len>\0"} + bytes. */
    public static String gitBlobId(byte[] content) {
        MessageDigest sha1 = digest();
        sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha1.digest(content));
    }

    /** User file path → git blob id. Rejects members that could escape the extraction directory. */
    public static Map<String, String> userFiles(String flow, byte[] archive) {
        Map<String, byte[]> members = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    if (entry.isDirectory() || entry.isGlobalPaxHeader() || entry.isPaxHeader()) {
                        continue;
                    }
                    throw new DeployError.NoCodePackage(flow, "code package member " + entry.getName() + " is not a regular file");
                }
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (name.startsWith("/") || List.of(name.split("/")).contains("..")) {
                    throw new DeployError.NoCodePackage(flow, "code package member " + name + " escapes the package root");
                }
                if (members.size() >= MAX_FILES) {
                    throw new DeployError.NoCodePackage(flow, "code package has more than " + MAX_FILES + " files");
                }
                members.put(name, tar.readAllBytes());
            }
        } catch (IOException e) {
            throw new DeployError.NoCodePackage(flow, "code package is not a readable tar.gz (" + e.getMessage() + ")");
        }
        boolean v1 = members.containsKey(".mf_install");
        Map<String, String> user = new TreeMap<>();
        members.forEach((name, bytes) -> {
            if (v1 ? !isV1Generated(name) : !isV0Generated(name)) {
                user.put(name, gitBlobId(bytes));
            }
        });
        return user;
    }

    /**
     * The Config values a Metaflow code package carries (name → JSON text): {@code user_configs} of
     * {@code .mf_meta/CONFIG} (layout v1) or of the root {@code INFO} (v0), {@code {"name": [value, plain]}}, which
     * the package's containers read. Empty when it has none or they are unreadable.
     */
    public static Map<String, String> userConfigs(byte[] archive) {
        Map<String, String> configs = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (entry.isFile() && (name.equals(".mf_meta/CONFIG") || name.equals("INFO"))) {
                    JsonNode values = FlowgateJson.parse(new String(tar.readAllBytes(), StandardCharsets.UTF_8)).path("user_configs");
                    values.fields().forEachRemaining(e -> configs.put(e.getKey(),
                            (e.getValue().isArray() ? e.getValue().path(0) : e.getValue()).toString()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return configs;
    }

    private static boolean isV1Generated(String name) {
        return name.equals(".mf_install") || name.startsWith(".mf_meta/") || name.startsWith(".mf_code/");
    }

    private static boolean isV0Generated(String name) {
        return name.startsWith("metaflow/") || name.startsWith("metaflow_extensions/") || V0_GENERATED.contains(name)
                || name.equals("uv.lock") || name.equals("pyproject.toml");
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

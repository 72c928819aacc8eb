package dev.flowgate.deployer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every member of a Metaflow code package, streamed once under hard caps ({@link PackageLimits}) and hashed on the fly
 * (git blob id and SHA-256), then classified by the package layout: v1 ({@code .mf_install} present) or v0. Nothing is
 * silently dropped: a member that is not a regular file (symlink, hardlink, device, fifo — by the tar type flag, not
 * {@code isFile()}, which is true for hardlinks), a path with {@code ..}, an absolute or odd path, a duplicate name (the
 * later copy would win at extraction), or a member past a cap is listed in {@link #refused()}; reading stops at a cap.
 *
 * @param layoutVersion 1 when {@code .mf_install} is present, else 0
 * @param members       the regular members with their class ({@link MemberClass#UNKNOWN} ones are also in refused)
 * @param metaContent   the bytes of small data members the gate reads: {@code .mf_install}, {@code .mf_meta/INFO},
 *                      {@code .mf_meta/CONFIG} (v0: {@code INFO}, {@code CONFIG}, {@code CONFIG_PARAMETERS})
 * @param refused       members refused while reading or classifying, with their class and reason
 */
public record CodePackageInventory(int layoutVersion, List<PackageMember> members, Map<String, byte[]> metaContent,
                                   List<Unaccounted> refused) {
    public static final String MARKER = ".mf_install";
    public static final String CODE_DIR = ".mf_code/";
    public static final String META_DIR = ".mf_meta/";
    private static final Set<String> V0_META = Set.of("INFO", "CONFIG", "CONFIG_PARAMETERS", "conda.manifest",
            "condav2-1.cnd", "uv.lock", "pyproject.toml");
    private static final Set<String> KEPT = Set.of(MARKER, META_DIR + "INFO", META_DIR + "CONFIG", "INFO", "CONFIG",
            "CONFIG_PARAMETERS");

    public CodePackageInventory {
        members = List.copyOf(members);
        metaContent = Map.copyOf(metaContent);
        refused = List.copyOf(refused);
    }

    /** Members of one class, by archive path order. */
    public List<PackageMember> of(MemberClass memberClass) {
        return members.stream().filter(m -> m.memberClass() == memberClass).toList();
    }

    /** The parsed JSON of a kept data member, if present and readable. */
    public Optional<JsonNode> json(String path) {
        byte[] bytes = metaContent.get(path);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(FlowgateJson.parse(new String(bytes, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code INFO.metaflow_version}, the Metaflow that made the package. */
    public Optional<String> metaflowVersion() {
        return json(layoutVersion == 1 ? META_DIR + "INFO" : "INFO").map(n -> n.path("metaflow_version"))
                .filter(JsonNode::isTextual).map(JsonNode::asText);
    }

    /** Reads and classifies every member. Throws {@link DeployError.NoCodePackage} only when the archive is not a tar.gz at all. */
    public static CodePackageInventory read(String flow, byte[] archive, PackageLimits limits) {
        List<Unaccounted> refused = new ArrayList<>();
        List<Raw> raws = new ArrayList<>();
        Map<String, byte[]> kept = new LinkedHashMap<>();
        if (archive.length > limits.maxArchiveBytes()) {
            refused.add(new Unaccounted("(archive)", "oversized", "the archive has " + archive.length + " bytes, more than the cap of "
                    + limits.maxArchiveBytes()));
            return new CodePackageInventory(0, List.of(), Map.of(), refused);
        }
        long ratioCap = limits.maxCompressionRatio() * Math.max(archive.length, 1L << 20);
        Set<String> seen = new HashSet<>();
        long total = 0;
        int count = 0;
        byte[] buffer = new byte[64 * 1024];
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isGlobalPaxHeader() || entry.isPaxHeader()) {
                    continue;
                }
                String raw = entry.getName();
                if (++count > limits.maxMembers()) {
                    refused.add(new Unaccounted(raw, "too_many_members", "the package has more than " + limits.maxMembers()
                            + " members; not reading further"));
                    break;
                }
                String path = raw.startsWith("./") ? raw.substring(2) : raw;
                Optional<String> unsafe = unsafePath(path);
                if (unsafe.isPresent()) {
                    refused.add(new Unaccounted(raw, "unsafe_path", unsafe.get()));
                    continue;
                }
                Optional<String> nonRegular = nonRegularKind(entry);
                if (nonRegular.isPresent()) {
                    String target = entry.getLinkName() == null || entry.getLinkName().isEmpty() ? "" : " to " + entry.getLinkName();
                    refused.add(new Unaccounted(path, nonRegular.get(), "a " + nonRegular.get() + " member" + target
                            + "; Metaflow writes only regular files"));
                    continue;
                }
                if (!seen.add(path)) {
                    refused.add(new Unaccounted(path, "duplicate", "the name occurs twice; the later copy would win at extraction"));
                    continue;
                }
                long size = entry.getSize();
                if (size > limits.maxMemberBytes()) {
                    refused.add(new Unaccounted(path, "oversized", size + " bytes, more than the member cap of "
                            + limits.maxMemberBytes() + "; not reading further"));
                    break;
                }
                if (total + size > limits.maxTotalBytes() || total + size > ratioCap) {
                    refused.add(new Unaccounted(path, "oversized", "the unpacked package would exceed "
                            + Math.min(limits.maxTotalBytes(), ratioCap) + " bytes (archive " + archive.length
                            + " bytes: suspicious compression ratio or too large); not reading further"));
                    break;
                }
                MessageDigest blob = digest("SHA-1");
                MessageDigest sha256 = digest("SHA-256");
                blob.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
                boolean keep = KEPT.contains(path);
                ByteArrayOutputStream content = keep ? new ByteArrayOutputStream() : null;
                long read = 0;
                int n;
                while ((n = tar.read(buffer)) > 0) {
                    read += n;
                    if (read > size) {
                        break;
                    }
                    blob.update(buffer, 0, n);
                    sha256.update(buffer, 0, n);
                    if (keep && read <= limits.maxMetaBytes()) {
                        content.write(buffer, 0, n);
                    }
                }
                if (read != size) {
                    refused.add(new Unaccounted(path, "unsafe_path", "the member's data (" + read + " bytes) does not match its header ("
                            + size + " bytes)"));
                    break;
                }
                if (keep) {
                    if (size > limits.maxMetaBytes()) {
                        refused.add(new Unaccounted(path, "oversized", size + " bytes, more than the data member cap of "
                                + limits.maxMetaBytes()));
                    } else {
                        kept.put(path, content.toByteArray());
                    }
                }
                total += size;
                raws.add(new Raw(path, size, HexFormat.of().formatHex(blob.digest()),
                        Base64.getUrlEncoder().withoutPadding().encodeToString(sha256.digest())));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DeployError.NoCodePackage(flow, "code package is not a readable tar.gz (" + e.getMessage() + ")");
        }
        boolean v1 = seen.contains(MARKER);
        Set<String> moduleFiles = v1 ? moduleFiles(kept.get(MARKER), refused) : Set.of();
        List<PackageMember> members = new ArrayList<>();
        for (Raw raw : raws) {
            MemberClass memberClass = v1 ? classifyV1(raw.path(), moduleFiles) : classifyV0(raw.path());
            members.add(new PackageMember(raw.path(), memberClass, raw.size(), raw.blobId(), raw.sha256()));
            if (memberClass == MemberClass.UNKNOWN) {
                refused.add(new Unaccounted(raw.path(), MemberClass.UNKNOWN.wireName(), raw.path().startsWith(CODE_DIR)
                        ? "code on the tasks' PYTHONPATH that is neither the Metaflow library nor a module listed in "
                        + MARKER + " module_files"
                        : "not a place Metaflow writes to (" + META_DIR + " holds only top-level data files)"));
            }
        }
        return new CodePackageInventory(v1 ? 1 : 0, members, kept, refused);
    }

    static MemberClass classifyV1(String path, Set<String> moduleFiles) {
        if (path.equals(MARKER)) {
            return MemberClass.MARKER;
        }
        if (path.startsWith(META_DIR)) {
            return path.indexOf('/', META_DIR.length()) < 0 ? MemberClass.META : MemberClass.UNKNOWN;
        }
        if (path.startsWith(CODE_DIR)) {
            if (path.startsWith(CODE_DIR + "metaflow/")) {
                return MemberClass.METAFLOW_LIBRARY;
            }
            if (path.startsWith(CODE_DIR + "metaflow_extensions/")) {
                return MemberClass.METAFLOW_EXTENSION;
            }
            return moduleFiles.contains(path) ? MemberClass.MODULE : MemberClass.UNKNOWN;
        }
        return MemberClass.USER;
    }

    static MemberClass classifyV0(String path) {
        if (path.startsWith("metaflow/")) {
            return MemberClass.METAFLOW_LIBRARY;
        }
        if (path.startsWith("metaflow_extensions/")) {
            return MemberClass.METAFLOW_EXTENSION;
        }
        return V0_META.contains(path) ? MemberClass.META : MemberClass.USER;
    }

    private static Set<String> moduleFiles(byte[] marker, List<Unaccounted> refused) {
        Set<String> files = new HashSet<>();
        try {
            JsonNode listed = FlowgateJson.parse(new String(marker == null ? new byte[0] : marker, StandardCharsets.UTF_8))
                    .path("module_files");
            listed.forEach(f -> files.add(f.asText()));
        } catch (RuntimeException e) {
            refused.add(new Unaccounted(MARKER, MemberClass.MARKER.wireName(), "not readable JSON {\"version\": 1, \"module_files\": [...]}"));
        }
        // a listed file may name only a module member under .mf_code/, never the library or anything outside
        files.removeIf(f -> !f.startsWith(CODE_DIR) || f.startsWith(CODE_DIR + "metaflow/")
                || f.startsWith(CODE_DIR + "metaflow_extensions/"));
        return files;
    }

    private static Optional<String> unsafePath(String path) {
        if (path.isEmpty() || path.startsWith("/")) {
            return Optional.of("an absolute or empty path");
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (String part : trimmed.split("/", -1)) {
            if (part.equals("..")) {
                return Optional.of("a path with '..' that escapes the extraction directory");
            }
            if (part.isEmpty() || part.equals(".")) {
                return Optional.of("a path with an empty or '.' component");
            }
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
            return Optional.of("a path with a control character or backslash");
        }
        return Optional.empty();
    }

    /** By the tar type flag: {@code isFile()} is true for hardlinks, so it cannot be trusted. */
    private static Optional<String> nonRegularKind(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        if (flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM) {
            return entry.getName().endsWith("/") ? Optional.of("directory") : Optional.empty();
        }
        if (flag == TarConstants.LF_SYMLINK) {
            return Optional.of("symlink");
        }
        if (flag == TarConstants.LF_LINK) {
            return Optional.of("hardlink");
        }
        if (flag == TarConstants.LF_CHR || flag == TarConstants.LF_BLK) {
            return Optional.of("device");
        }
        if (flag == TarConstants.LF_FIFO) {
            return Optional.of("fifo");
        }
        if (flag == TarConstants.LF_DIR) {
            return Optional.of("directory");
        }
        return Optional.of("non_regular");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Raw(String path, long size, String blobId, String sha256) {
    }
}

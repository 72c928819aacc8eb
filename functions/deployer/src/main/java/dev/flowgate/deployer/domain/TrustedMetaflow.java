package dev.flowgate.deployer.domain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Metaflow distributions the platform trusts, pinned in git: one resource per version,
 * {@code trusted-metaflow/metaflow-<version>.record}, holding the published wheel's RECORD lines
 * ({@code path,sha256=<urlsafe b64>,size}), written by {@code scripts/trust-metaflow VERSION}. A package's library members
 * must each be in the pinned RECORD with the same SHA-256 and size; the version comes from the package's INFO, and a
 * version with no pin is refused. Extensions ({@code metaflow_extensions/**}) have no pin and are always refused.
 */
public final class TrustedMetaflow {
    static final String RESOURCE_DIR = "trusted-metaflow/";
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    private static final Map<String, Optional<Map<String, Pinned>>> CACHE = new ConcurrentHashMap<>();
    private static final String VERSION_FILE = "metaflow/version.py";
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^metaflow_version\\s*=\\s*\"([^\"]+)\"\\s*$");
    private static final int LISTED_PROBLEMS = 5;

    private TrustedMetaflow() {
    }

    /** A pinned file of the wheel. */
    record Pinned(String sha256, long size) {
    }

    /** The library and extension members that do not equal the trusted wheel of the package's Metaflow version. */
    public static List<Unaccounted> check(CodePackageInventory inventory) {
        List<Unaccounted> refused = new ArrayList<>();
        String prefix = inventory.layoutVersion() == 1 ? CodePackageInventory.CODE_DIR : "";
        for (PackageMember extension : inventory.of(MemberClass.METAFLOW_EXTENSION)) {
            refused.add(new Unaccounted(extension.path(), MemberClass.METAFLOW_EXTENSION.wireName(),
                    "Metaflow extensions are not trusted by this platform (no pinned distribution); package without"
                            + " extensions installed"));
        }
        List<PackageMember> library = inventory.of(MemberClass.METAFLOW_LIBRARY);
        if (library.isEmpty()) {
            return refused;
        }
        Optional<String> version = inventory.metaflowVersion();
        Optional<Map<String, Pinned>> pinned = version.filter(v -> VERSION.matcher(v).matches()).flatMap(TrustedMetaflow::pinned);
        if (pinned.isEmpty()) {
            String v = version.orElse("(no metaflow_version in INFO)");
            refused.add(new Unaccounted(library.get(0).path(), MemberClass.METAFLOW_LIBRARY.wireName(),
                    "Metaflow " + v + " is not trusted: no pinned wheel hashes " + RESOURCE_DIR + "metaflow-" + v
                            + ".record; make the run with the pinned Metaflow (scripts/python-requirements.txt) or pin this"
                            + " version with scripts/trust-metaflow " + v));
            return refused;
        }
        Map<String, Pinned> record = pinned.get();
        for (PackageMember member : library) {
            String wheelPath = member.path().substring(prefix.length());
            Pinned pin = record.get(wheelPath);
            if (pin == null) {
                refused.add(new Unaccounted(member.path(), MemberClass.METAFLOW_LIBRARY.wireName(),
                        "not a file of the Metaflow " + version.get() + " wheel"));
            } else if (!pin.sha256().equals(member.sha256()) || pin.size() != member.size()) {
                refused.add(new Unaccounted(member.path(), MemberClass.METAFLOW_LIBRARY.wireName(),
                        "differs from the Metaflow " + version.get() + " wheel (sha256 " + member.sha256() + ", pinned "
                                + pin.sha256() + "); make the run from an unmodified install"));
            }
        }
        return refused;
    }

    /**
     * What keeps the runtime layer that experimental deployments package with ({@code FLOWGATE_METAFLOW_LAYER}, made
     * by {@code scripts/publish-metaflow-layer}) from being trusted: every file must be a file of the pinned wheel of
     * the version its {@code metaflow/version.py} names, byte for byte. Empty when the layer is trusted.
     */
    public static List<String> layerProblems(Map<String, byte[]> layer) {
        byte[] versionFile = layer.get(VERSION_FILE);
        Matcher line = versionFile == null ? null
                : VERSION_LINE.matcher(new String(versionFile, StandardCharsets.UTF_8));
        if (line == null || !line.find()) {
            return List.of(VERSION_FILE + " is missing or names no metaflow_version");
        }
        String version = line.group(1);
        Optional<Map<String, Pinned>> pinned = Optional.of(version).filter(v -> VERSION.matcher(v).matches())
                .flatMap(TrustedMetaflow::pinned);
        if (pinned.isEmpty()) {
            return List.of("Metaflow " + version + " is not trusted: no pinned wheel hashes " + RESOURCE_DIR + "metaflow-"
                    + version + ".record (pin it with scripts/trust-metaflow " + version + ")");
        }
        List<String> problems = new ArrayList<>();
        int more = 0;
        for (Map.Entry<String, byte[]> file : new TreeMap<>(layer).entrySet()) {
            Pinned pin = pinned.get().get(file.getKey());
            String problem = pin == null ? file.getKey() + " is not a file of the Metaflow " + version + " wheel"
                    : !pin.sha256().equals(sha256(file.getValue())) || pin.size() != file.getValue().length
                    ? file.getKey() + " differs from the Metaflow " + version + " wheel" : null;
            if (problem != null && problems.size() < LISTED_PROBLEMS) {
                problems.add(problem);
            } else if (problem != null) {
                more++;
            }
        }
        if (more > 0) {
            problems.add(more + " more");
        }
        return problems;
    }

    private static String sha256(byte[] bytes) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * True when the member is the library's {@code metaflow/extension_support/_empty_file.py} of the package's trusted
     * Metaflow version, which Metaflow writes as {@code __init__.py} of a packaged module that has none.
     */
    static boolean isEmptyInit(CodePackageInventory inventory, PackageMember member) {
        Pinned empty = inventory.metaflowVersion().filter(v -> VERSION.matcher(v).matches()).flatMap(TrustedMetaflow::pinned)
                .map(files -> files.get("metaflow/extension_support/_empty_file.py")).orElse(null);
        return empty != null && empty.sha256().equals(member.sha256()) && empty.size() == member.size();
    }

    /** True when a pin exists for this version. */
    public static boolean trusts(String version) {
        return VERSION.matcher(version).matches() && pinned(version).isPresent();
    }

    private static Optional<Map<String, Pinned>> pinned(String version) {
        return CACHE.computeIfAbsent(version, TrustedMetaflow::load);
    }

    private static Optional<Map<String, Pinned>> load(String version) {
        String resource = RESOURCE_DIR + "metaflow-" + version + ".record";
        InputStream in = TrustedMetaflow.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            return Optional.empty();
        }
        Map<String, Pinned> files = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int last = line.lastIndexOf(',');
                int middle = line.lastIndexOf(',', last - 1);
                if (middle < 0) {
                    throw new IllegalStateException(resource + ": not a RECORD line: " + line);
                }
                String hash = line.substring(middle + 1, last);
                String size = line.substring(last + 1);
                if (!hash.startsWith("sha256=") || size.isEmpty()) {
                    continue; // RECORD's own line and generated files carry no hash
                }
                files.put(line.substring(0, middle), new Pinned(hash.substring("sha256=".length()), Long.parseLong(size)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(Map.copyOf(files));
    }
}

package dev.flowgate.deployer.bench;

import dev.flowgate.deployer.domain.CodeComparison;
import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.GitCode;
import dev.flowgate.deployer.domain.PackageGate;
import dev.flowgate.deployer.domain.TreeEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * How long the production gate's package check ({@link PackageGate#check}) takes on a realistic big package: the whole
 * pinned Metaflow library, byte for byte the installed files the pinned RECORD lists (so the library check really
 * passes), a module under {@code src/}, and many generated user files, with the matching git tree. Run by
 * {@code scripts/bench-deploy --verify-only}; a benchmark that prints a table, not a test.
 *
 * <p>Arguments: {@code --metaflow-dir DIR} (the installed {@code metaflow/} package directory, required),
 * {@code --metaflow-version V} (default 2.19.39), {@code --user-files N[,N...]} (one row each, the flow file included, default 500),
 * {@code --module-files N} (default 20), {@code --runs N} (timed checks per row, default 20).
 */
public final class PackageGateBench {
    private static final String FLOW = "BenchFlow";
    private static final String FLOW_DIR = "flows";
    private static final String FLOW_FILE = "bench_flow.py";
    private static final String MODULE = "benchproj";
    private static final List<String> SUFFIXES = List.of(".py", ".R", ".RDS");
    private static final String CONFIG_JSON = "{\"lr\": 0.1, \"epochs\": 3, \"features\": [\"age\", \"tenure\"]}";

    private PackageGateBench() {
    }

    /** One row's inputs: the archive and the git side it is checked against. */
    record Case(byte[] archive, GitCode git, int members, int userFiles, int moduleFiles, int libraryFiles, long unpacked) {
    }

    record Row(Case input, double firstMs, double p50Ms, double p95Ms, double maxMs, long allocatedPerCheck, long peakHeap) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path metaflowDir = Path.of(required(options, "--metaflow-dir"));
        String version = options.getOrDefault("--metaflow-version", "2.19.39");
        int runs = Integer.parseInt(options.getOrDefault("--runs", "20"));
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
        int moduleFiles = Integer.parseInt(options.getOrDefault("--module-files", "20"));
        Map<String, byte[]> library = library(metaflowDir, version);
        List<Row> rows = new ArrayList<>();
        for (String users : options.getOrDefault("--user-files", "500").split(",")) {
            int userFiles = Integer.parseInt(users.trim());
            if (userFiles < 1 || moduleFiles < 1) {
                throw new IllegalArgumentException("a package holds at least the flow file and the module's __init__.py");
            }
            rows.add(measure(build(library, version, userFiles, moduleFiles), runs));
        }
        print(rows, version, runs);
    }

    /** The library files the pinned RECORD lists, read from the installed package and checked against their pin. */
    static Map<String, byte[]> library(Path metaflowDir, String version) throws IOException {
        String resource = "trusted-metaflow/metaflow-" + version + ".record";
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> differing = new ArrayList<>();
        try (InputStream in = PackageGateBench.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no pin " + resource + " on the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                int last = line.lastIndexOf(',');
                int middle = last < 0 ? -1 : line.lastIndexOf(',', last - 1);
                if (line.startsWith("#") || middle < 0 || !line.startsWith("metaflow/")
                        || !line.substring(middle + 1, last).startsWith("sha256=")) {
                    continue;
                }
                String path = line.substring(0, middle);
                byte[] bytes = Files.readAllBytes(metaflowDir.resolve(path.substring("metaflow/".length())));
                if (!line.substring(middle + 1 + "sha256=".length(), last).equals(sha256(bytes))) {
                    differing.add(path);
                }
                files.put(path, bytes);
            }
        }
        if (!differing.isEmpty()) {
            throw new IllegalStateException(metaflowDir + " is not the pinned Metaflow " + version + " (" + differing.size()
                    + " files differ, e.g. " + differing.get(0) + "): the gate would refuse the package");
        }
        return files;
    }

    /** A layout-v1 package as Metaflow 2.19 writes it, and the git tree of the commit it was made from. */
    static Case build(Map<String, byte[]> library, String version, int userFiles, int moduleFiles) {
        Random random = new Random(42L + userFiles);
        Map<String, byte[]> members = new LinkedHashMap<>();
        List<TreeEntry> tree = new ArrayList<>();
        TreeSet<String> directories = new TreeSet<>();

        byte[] flow = ("from metaflow import FlowSpec, Config, step\nimport " + MODULE + "\n\n\nclass " + FLOW
                + "(FlowSpec):\n    train = Config(\"train\", default_value=" + CONFIG_JSON + ")\n\n    @step\n"
                + "    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\n\n"
                + "if __name__ == \"__main__\":\n    " + FLOW + "()\n").getBytes(StandardCharsets.UTF_8);
        members.put(FLOW_FILE, flow);
        tree.add(blob(FLOW_DIR + "/" + FLOW_FILE, flow, directories));
        for (int i = 1; i < userFiles; i++) {
            String path = "pkg_" + (i / 50) + "/helper_" + i + ".py";
            byte[] content = python(random, "helper " + i);
            members.put(path, content);
            tree.add(blob(FLOW_DIR + "/" + path, content, directories));
        }
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < moduleFiles; i++) {
            String name = i == 0 ? "__init__.py" : "mod_" + i + ".py";
            byte[] content = python(random, "module " + name);
            members.put(".mf_code/" + MODULE + "/" + name, content);
            listed.add("\".mf_code/" + MODULE + "/" + name + "\"");
            tree.add(blob("src/" + MODULE + "/" + name, content, directories));
        }
        library.forEach((path, bytes) -> members.put(".mf_code/" + path, bytes));
        members.put(".mf_meta/INFO", ("{\"script\": \"" + FLOW_FILE + "\", \"metaflow_version\": \"" + version
                + "\", \"use_r\": false, \"metaflow_r_version\": null, \"ext_info\": [{}, {}]}").getBytes(StandardCharsets.UTF_8));
        members.put(".mf_meta/CONFIG", ("{\"user_configs\": {\"train\": [" + CONFIG_JSON + ", false]}}").getBytes(StandardCharsets.UTF_8));
        members.put(".mf_install", ("{\"version\": 1, \"module_files\": [" + String.join(", ", listed) + "]}")
                .getBytes(StandardCharsets.UTF_8));
        // what else a repository holds: not packaged (suffix, hidden directory, outside the flow directory)
        for (String other : List.of("README.md", "flowgate.yaml", ".github/workflows/ci.yml", "tests/test_helpers.py",
                FLOW_DIR + "/data/sample.csv", FLOW_DIR + "/notes.md", FLOW_DIR + "/.scratch/try.py")) {
            tree.add(blob(other, ("# " + other + "\n").getBytes(StandardCharsets.UTF_8), directories));
        }
        directories.forEach(d -> tree.add(new TreeEntry(d, "040000", "tree", "0".repeat(40))));

        long unpacked = members.values().stream().mapToLong(b -> b.length).sum();
        return new Case(tgz(members), new GitCode(tree, FLOW_DIR + "/" + FLOW_FILE, SUFFIXES, Map.of("train", CONFIG_JSON)),
                members.size(), userFiles, moduleFiles, library.size(), unpacked);
    }

    /** The first check (cold: class loading, the pin's parsing, no JIT yet) apart, then {@code runs} more; a check that
     * does not pass stops the benchmark (timing a refusal would measure the wrong path). */
    static Row measure(Case input, int runs) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);

        long start = System.nanoTime();
        CodeComparison first = PackageGate.check(FLOW, input.archive(), 1, input.git());
        double firstMs = (System.nanoTime() - start) / 1e6;
        if (!first.identical()) {
            throw new IllegalStateException("the benchmark package does not pass the gate: " + first.summary());
        }
        double[] millis = new double[runs];
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            CodeComparison comparison = PackageGate.check(FLOW, input.archive(), 1, input.git());
            millis[i] = (System.nanoTime() - t) / 1e6;
            if (!comparison.identical()) {
                throw new IllegalStateException("run " + i + " did not pass: " + comparison.summary());
            }
        }
        long allocated = (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) / Math.max(runs, 1);
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        Arrays.sort(millis);
        return new Row(input, firstMs, percentile(millis, 50), percentile(millis, 95), millis[millis.length - 1], allocated, peak);
    }

    private static void print(List<Row> rows, String version, int runs) {
        System.out.printf("%-10s %-8s %-7s %-8s %-10s %-10s %-9s %-8s %-8s %-8s %-12s %-9s%n", "user files", "members",
                "module", "library", "archive", "unpacked", "first ms", "p50 ms", "p95 ms", "max ms", "alloc/check", "peak heap");
        for (Row r : rows) {
            Case c = r.input();
            System.out.printf("%-10d %-8d %-7d %-8d %-10s %-10s %-9.0f %-8.0f %-8.0f %-8.0f %-12s %-9s%n", c.userFiles(), c.members(),
                    c.moduleFiles(), c.libraryFiles(), mib(c.archive().length), mib(c.unpacked()), r.firstMs(), r.p50Ms(), r.p95Ms(),
                    r.maxMs(), mib(r.allocatedPerCheck()), mib(r.peakHeap()));
        }
        Runtime runtime = Runtime.getRuntime();
        System.out.printf("(PackageGate.check in memory on the pinned Metaflow %s library's real files; first = a row's first check"
                        + " (cold in the first row: a fresh JVM, the pin not yet parsed), p50/p95/max over %d further checks; peak heap = the heap pools' high-water"
                        + " marks summed, archive included (GC-dependent: an upper bound of what the checks needed); Java %s, %d CPUs, max heap %s. The verify_code stage adds the S3 read, the git tree"
                        + " listing and the Config resolution.)%n", version, runs, Runtime.version(),
                runtime.availableProcessors(), mib(runtime.maxMemory()));
    }

    private static byte[] python(Random random, String what) {
        StringBuilder text = new StringBuilder("\"\"\"").append(what).append(": generated for the package gate benchmark.\"\"\"\n")
                .append("import math\nfrom collections import defaultdict\n\n");
        int functions = 3 + random.nextInt(12);
        for (int f = 0; f < functions; f++) {
            text.append("\ndef transform_").append(f).append("_").append(Integer.toHexString(random.nextInt()))
                    .append("(rows, weight=").append(random.nextInt(100)).append("):\n")
                    .append("    \"\"\"Scales every value by the weight and drops the ones below ").append(random.nextInt(1000))
                    .append(".\"\"\"\n    totals = defaultdict(float)\n    for row in rows:\n");
            int lines = 2 + random.nextInt(8);
            for (int l = 0; l < lines; l++) {
                text.append("        totals[row[").append(random.nextInt(16)).append("]] += math.log1p(abs(row[")
                        .append(random.nextInt(16)).append("])) * weight / ").append(1 + random.nextInt(97)).append("\n");
            }
            text.append("    return {k: v for k, v in totals.items() if v > ").append(random.nextInt(50)).append("}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static TreeEntry blob(String path, byte[] content, TreeSet<String> directories) {
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            directories.add(path.substring(0, slash));
        }
        return new TreeEntry(path, "100644", "blob", CodePackageReader.gitBlobId(content));
    }

    /** Metaflow's packaging: tar.gz, gzip level 3, fixed mtime. */
    private static byte[] tgz(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(3);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, parameters))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(member.getKey());
                entry.setSize(member.getValue().length);
                entry.setMode(0100644);
                entry.setModTime(1575360000L * 1000);
                tar.putArchiveEntry(entry);
                tar.write(member.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.round(p / 100.0 * (sorted.length - 1)))];
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: PackageGateBench --metaflow-dir DIR [--metaflow-version V]"
                        + " [--user-files N[,N...]] [--module-files N] [--runs N]; got " + args[i]);
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}

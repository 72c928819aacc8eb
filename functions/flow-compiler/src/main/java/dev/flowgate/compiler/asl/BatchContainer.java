package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.PyExpr;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The container a step's {@code @batch} and {@code @resources} ask AWS Batch for, resolved exactly as Metaflow 2.19
 * resolves them when it deploys to Step Functions on an EC2 compute environment:
 * <ul>
 *   <li>cpu, gpu, memory, shared memory: {@code aws_utils.compute_resource_attributes} — without {@code @resources}
 *   the {@code @batch} value replaces the default (1 vCPU, 0 GPU, 4096 MiB, so {@code @batch(memory=2048)} keeps
 *   2048); with {@code @resources} the larger of both where both are set ({@code @resources}' own defaults, cpu 1 and
 *   memory 4096, count as set), else the one that is set; then as {@code BatchJob.cpu/gpu/memory} print them
 *   ({@code "%g"}, whole MiB, whole GPUs);</li>
 *   <li>everything else from {@code @batch} as {@code BatchJob._register_job_definition} puts it into the job
 *   definition: job role ({@code iam_role}), shared memory, {@code max_swap}, {@code swappiness}, Inferentia /
 *   Trainium devices, EFA devices, host and EFS volumes, the tmpfs mount (and {@code METAFLOW_TEMPDIR}), privileged
 *   mode and the log configuration.</li>
 * </ul>
 * Values Metaflow would refuse (at deploy time or when AWS Batch registers the definition) are refused here, with
 * the step and a fix. {@code execution_role} and {@code ephemeral_storage} are Fargate's: Flowgate registers EC2
 * job definitions, where Metaflow ignores the first and refuses the second.
 */
public record BatchContainer(String vcpu, int gpu, long memory, String queue, String image, String jobRole,
                             OptionalInt sharedMemory, OptionalInt maxSwap, OptionalInt swappiness, int inferentia,
                             int efa, List<String> hostVolumes, List<String> efsVolumes, Optional<Tmpfs> tmpfs,
                             boolean privileged, Optional<String> logDriver, Map<String, String> logOptions) {

    /** Metaflow's check of a tag (its {@code re.match} looks at the first character only). */
    private static final java.util.regex.Pattern TAG_START = java.util.regex.Pattern.compile("[A-Za-z0-9\\s+\\-=._:/@]");
    /** Metaflow's {@code @batch} default for {@code tmpfs_path}. */
    static final String DEFAULT_TMPFS_PATH = "/metaflow_temp";

    public BatchContainer {
        hostVolumes = List.copyOf(hostVolumes);
        efsVolumes = List.copyOf(efsVolumes);
        logOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(logOptions));
    }

    /**
     * A tmpfs mount at {@code path} of {@code sizeMiB}; {@code tempdir}: the step's {@code METAFLOW_TEMPDIR} is the
     * mount ({@code tmpfs_tempdir}, default true).
     */
    public record Tmpfs(String path, long sizeMiB, boolean tempdir) {
    }

    /** A container with Metaflow's defaults and no decorator (what an exit hook's job gets). */
    static BatchContainer defaults(String vcpu, long memory, String queue, String image, String jobRole) {
        return new BatchContainer(vcpu, 0, memory, queue, image, jobRole, OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), 0, 0, List.of(), List.of(), Optional.empty(), false, Optional.empty(), Map.of());
    }

    /** The step's container; {@code file} names the flow in refusals. */
    public static BatchContainer of(StepNode step, DeploymentSettings settings, String file) {
        return new Resolver(step, file).resolve(settings);
    }

    /** The environment only this container's settings add: {@code METAFLOW_TEMPDIR} on a tmpfs mount. */
    public Map<String, String> environment() {
        return tmpfs.filter(Tmpfs::tempdir).map(t -> Map.of("METAFLOW_TEMPDIR", t.path())).orElse(Map.of());
    }

    /**
     * cpu/gpu/memory/shared memory as {@code compute_resource_attributes} leaves them (Python {@code str}s, or
     * absent), for the {@code --with 'batch:…'} spec of a step without {@code @batch}.
     */
    static Map<String, String> resourceAttributes(Optional<Decorator> batch, Optional<Decorator> resources) {
        Map<String, Object> resolved = computeResourceAttributes(attributes(batch), resources.map(d -> attributes(Optional.of(d))));
        Map<String, String> result = new LinkedHashMap<>();
        resolved.forEach((key, value) -> result.put(key, String.valueOf(value)));
        return result;
    }

    private static final List<String> RESOURCE_KEYS = List.of("cpu", "gpu", "memory");
    /** {@code @resources}' keys that {@code @batch} supports too ({@code disk} is not one). */
    private static final List<String> SHARED_KEYS = List.of("cpu", "gpu", "memory", "shared_memory");
    private static final Map<String, Object> RESOURCES_DEFAULTS = Map.of("cpu", "1", "memory", "4096");
    private static final Map<String, String> BATCH_RESOURCE_DEFAULTS = Map.of("cpu", "1", "gpu", "0", "memory", "4096");

    /** A decorator's literal keyword values (null for None); a value that is not a literal stays a {@link PyExpr}. */
    private static Map<String, Object> attributes(Optional<Decorator> decorator) {
        Map<String, Object> result = new LinkedHashMap<>();
        decorator.ifPresent(d -> d.kwargs().forEach((key, value) -> {
            Object literal = PyExpr.literal(value);
            result.put(key, literal == PyExpr.NOT_LITERAL ? value : literal);
        }));
        return result;
    }

    /**
     * Metaflow's {@code compute_resource_attributes(decos, batch, resource_defaults)}: Python {@code str} values, or a
     * {@link PyExpr} when a value is not a literal (refused by the caller), or a {@link Conflict}.
     */
    private static Map<String, Object> computeResourceAttributes(Map<String, Object> batch, Optional<Map<String, Object>> resources) {
        Map<String, Object> result = new LinkedHashMap<>(BATCH_RESOURCE_DEFAULTS);
        if (resources.isPresent()) {
            Map<String, Object> withDefaults = new LinkedHashMap<>(RESOURCES_DEFAULTS);
            withDefaults.putAll(resources.get());
            for (String key : SHARED_KEYS) {
                Object mine = batch.get(key);
                Object theirs = withDefaults.get(key);
                if (mine == null && theirs == null) {
                    continue;
                }
                if (mine instanceof PyExpr || theirs instanceof PyExpr) {
                    result.put(key, mine instanceof PyExpr ? mine : theirs);
                } else if (mine != null && theirs != null) {
                    PyFloat a = pythonFloat(orZero(mine));
                    PyFloat b = pythonFloat(orZero(theirs));
                    if (a.isPresent() && b.isPresent()) {
                        result.put(key, PythonJson.pythonFloat(Math.max(a.value(), b.value())));
                    } else if (!mine.equals(theirs)) {
                        result.put(key, new Conflict(mine, theirs));
                    } else {
                        result.put(key, pythonStr(orZero(mine)));
                    }
                } else {
                    result.put(key, pythonStr(orZero(mine != null ? mine : theirs)));
                }
            }
            return result;
        }
        for (String key : RESOURCE_KEYS) {
            Object mine = batch.get(key);
            if (mine instanceof PyExpr) {
                result.put(key, mine);
            } else if (mine != null) {
                result.put(key, pythonStr(orZero(mine)));
            }
        }
        return result;
    }

    /** {@code @resources} and {@code @batch} both set a value that is not a number, and differently. */
    private record Conflict(Object batch, Object resources) {
    }

    /** The result of Python's {@code float(v)}: a value, or nothing where Python raises ValueError. */
    private record PyFloat(double value, boolean isPresent) {
        static final PyFloat EMPTY = new PyFloat(0, false);
    }

    /** Python's {@code v or "0"}: falsy values (0, 0.0, "", False) become "0". */
    private static Object orZero(Object value) {
        boolean falsy = value == null || Boolean.FALSE.equals(value) || "".equals(value)
                || (value instanceof Number n && n.doubleValue() == 0);
        return falsy ? "0" : value;
    }

    /** Python's {@code float(v)}, empty where it raises ValueError. */
    private static PyFloat pythonFloat(Object value) {
        if (value instanceof Boolean b) {
            return new PyFloat(b ? 1 : 0, true);
        }
        if (value instanceof Number n) {
            return new PyFloat(n.doubleValue(), true);
        }
        if (value instanceof String s) {
            String t = s.strip().replace("_", "");
            if (t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return new PyFloat(Double.parseDouble(t), true);
            }
            if (t.matches("(?i)[+-]?(inf|infinity|nan)")) {
                return new PyFloat(Double.NaN, true); // refused by the caller: not a size
            }
        }
        return PyFloat.EMPTY;
    }

    /** Python's {@code str(v)} of a literal. */
    private static String pythonStr(Object value) {
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Double d) {
            return PythonJson.pythonFloat(d);
        }
        return String.valueOf(value);
    }

    /** Resolves one step's decorators; every refusal names the step, the decorator argument and a fix. */
    private static final class Resolver {
        private final StepNode step;
        private final String file;
        private final Map<String, Object> batch;

        Resolver(StepNode step, String file) {
            this.step = step;
            this.file = file;
            this.batch = attributes(step.decorator("batch"));
        }

        BatchContainer resolve(DeploymentSettings settings) {
            Map<String, Object> resolved = computeResourceAttributes(batch, step.decorator("resources").map(d -> attributes(Optional.of(d))));
            double cpu = positive("cpu", resolved.get("cpu"));
            double memory = positive("memory", resolved.get("memory"));
            double gpu = number("gpu", resolved.get("gpu"));
            if (gpu < 0 || gpu != Math.rint(gpu)) {
                throw problem("gpu", resolved.get("gpu"), "must be a whole number of GPUs, 0 or more", "write e.g. gpu=1");
            }
            OptionalInt shared = OptionalInt.empty();
            if (resolved.containsKey("shared_memory") || batch.get("shared_memory") != null) {
                Object value = resolved.containsKey("shared_memory") ? resolved.get("shared_memory") : batch.get("shared_memory");
                int size = (int) number("shared_memory", value);
                if (size <= 0) {
                    throw problem("shared_memory", value, "must be greater than 0 (MiB of /dev/shm)", "write e.g. shared_memory=1024");
                }
                shared = OptionalInt.of(size);
            }
            OptionalInt maxSwap = wholeNumber("max_swap");
            if (maxSwap.isPresent() && maxSwap.getAsInt() < 0) {
                throw problem("max_swap", batch.get("max_swap"), "must be 0 or greater (MiB of swap)", "write e.g. max_swap=2048");
            }
            OptionalInt swappiness = wholeNumber("swappiness");
            if (swappiness.isPresent() && (swappiness.getAsInt() < 0 || swappiness.getAsInt() >= 100)) {
                throw problem("swappiness", batch.get("swappiness"), "must be from 0 to 99 (Metaflow refuses 100 and more)",
                        "write e.g. swappiness=60");
            }
            if (batch.get("inferentia") != null && batch.get("trainium") != null) {
                throw problem("trainium", batch.get("trainium"), "and inferentia are the same setting (trainium is an alias)",
                        "specify only one of inferentia= and trainium=");
            }
            Object chips = batch.get("inferentia") != null ? batch.get("inferentia") : batch.get("trainium");
            int inferentia = truthy(chips) ? count(batch.get("inferentia") != null ? "inferentia" : "trainium", chips) : 0;
            int efa = truthy(batch.get("efa")) ? count("efa", batch.get("efa")) : 0;
            if (truthy(batch.get("ephemeral_storage"))) {
                throw problem("ephemeral_storage", batch.get("ephemeral_storage"),
                        "applies to Fargate compute environments only, and Flowgate registers EC2 job definitions (Metaflow refuses it on EC2 too)",
                        "remove ephemeral_storage=, or mount more storage with efs_volumes= or host_volumes=");
            }
            checkTags();
            return new BatchContainer(cpuText(cpu), (int) gpu, (long) memory,
                    string("queue").orElse(settings.jobQueue()), string("image").filter(i -> !i.isEmpty()).map(settings::withRegistry).orElse(settings.image()),
                    string("iam_role").orElse(settings.jobRole()), shared, maxSwap, swappiness, inferentia, efa,
                    paths("host_volumes"), paths("efs_volumes"), tmpfs((long) memory), flag("privileged"),
                    string("log_driver"), logOptions());
        }

        /** Metaflow's tmpfs: {@code use_tmpfs}, or a {@code tmpfs_size} alone; the size defaults to half the memory. */
        private Optional<Tmpfs> tmpfs(long memory) {
            boolean use = flag("use_tmpfs");
            Object size = batch.get("tmpfs_size");
            if (!use && !truthy(size)) {
                return Optional.empty();
            }
            long sizeMiB = truthy(size) ? (long) number("tmpfs_size", size) : memory / 2;
            if (sizeMiB <= 0) {
                throw problem("tmpfs_size", size, "must be greater than 0 (MiB)", "write e.g. tmpfs_size=1024");
            }
            // an explicit None (as a run's record writes unset attributes) is the default, as everywhere here
            Object pathValue = batch.get("tmpfs_path") != null ? batch.get("tmpfs_path") : DEFAULT_TMPFS_PATH;
            if (!(pathValue instanceof String path) || !path.startsWith("/")) {
                throw problem("tmpfs_path", pathValue, "needs to be an absolute path", "write e.g. tmpfs_path=\"/metaflow_temp\"");
            }
            Object tempdir = batch.containsKey("tmpfs_tempdir") ? batch.get("tmpfs_tempdir") : Boolean.TRUE;
            return Optional.of(new Tmpfs(path, sizeMiB, truthy(tempdir)));
        }

        /**
         * {@code aws_batch_tags}: Metaflow refuses the deployment unless they are string tags that AWS accepts
         * ({@code aws_utils.validate_aws_tag}); they reach no job of a Step Functions deployment unless
         * {@code METAFLOW_BATCH_EMIT_TAGS} is set, which Flowgate does not support, so they are only checked.
         */
        private void checkTags() {
            Object value = batch.get("aws_batch_tags");
            if (value == null) {
                return;
            }
            if (!(value instanceof Map<?, ?> tags) || !tags.values().stream().allMatch(String.class::isInstance)) {
                throw problem("aws_batch_tags", value, "must be a dict of string tags", "write e.g. aws_batch_tags={\"team\": \"ml\"}");
            }
            tags.forEach((key, tag) -> {
                String k = String.valueOf(key);
                String v = (String) tag;
                if (k.regionMatches(true, 0, "aws:", 0, 4) || v.regionMatches(true, 0, "aws:", 0, 4)) {
                    throw problem("aws_batch_tags", value, "use the prefix 'aws:', which AWS reserves", "rename the tag " + k);
                }
                if (k.length() > 128 || v.length() > 256) {
                    throw problem("aws_batch_tags", value, "has a key over 128 or a value over 256 characters", "shorten the tag " + k);
                }
                if (!TAG_START.matcher(k).lookingAt() || !TAG_START.matcher(v).lookingAt()) {
                    throw problem("aws_batch_tags", value, "has a tag AWS does not accept (letters, digits, spaces and + - = . _ : / @)",
                            "rename the tag " + k);
                }
            });
        }

        /** {@code log_options}: a string or a list of {@code "key:value"} strings. */
        private Map<String, String> logOptions() {
            Object value = batch.get("log_options");
            Map<String, String> options = new LinkedHashMap<>();
            if (!truthy(value)) {
                return options;
            }
            List<?> items = value instanceof String s ? List.of(s) : value instanceof List<?> list ? list : null;
            if (items == null) {
                throw problem("log_options", value, "must be a string or a list of strings", "write e.g. log_options=[\"awslogs-group:aws/batch/job\"]");
            }
            for (Object item : items) {
                if (!(item instanceof String option) || !option.contains(":")) {
                    throw problem("log_options", value, "must list \"key:value\" strings", "write e.g. log_options=[\"awslogs-group:aws/batch/job\"]");
                }
                options.put(option.substring(0, option.indexOf(':')), option.substring(option.indexOf(':') + 1));
            }
            if (!truthy(batch.get("log_driver"))) {
                throw problem("log_options", value, "needs log_driver= (AWS Batch refuses log options without a log driver)",
                        "add e.g. log_driver=\"awslogs\"");
            }
            return options;
        }

        private List<String> paths(String key) {
            Object value = batch.get(key);
            if (!truthy(value)) {
                return List.of();
            }
            List<String> result = new ArrayList<>();
            if (value instanceof String s) {
                result.add(s);
            } else if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                list.forEach(item -> result.add((String) item));
            } else {
                throw problem(key, value, "must be a string or a list of strings", "write e.g. " + key + "=[\"fs-0123:/data\"]");
            }
            return result;
        }

        private boolean flag(String key) {
            Object value = batch.get(key);
            if (value == null || value instanceof Boolean) {
                return Boolean.TRUE.equals(value);
            }
            throw problem(key, value, "must be True or False", "write " + key + "=True");
        }

        private Optional<String> string(String key) {
            Object value = batch.get(key);
            if (value == null) {
                return Optional.empty();
            }
            if (value instanceof String s) {
                return Optional.of(s);
            }
            throw problem(key, value, "must be a string literal", "write the value in quotes in the decorator");
        }

        /** An int or a string of one ({@code int(v)} in Metaflow), or empty when not given. */
        private OptionalInt wholeNumber(String key) {
            Object value = batch.get(key);
            if (value == null) {
                return OptionalInt.empty();
            }
            if (value instanceof Long n) {
                return OptionalInt.of(n.intValue());
            }
            if (value instanceof String s && s.strip().matches("[+-]?\\d+")) {
                return OptionalInt.of(Integer.parseInt(s.strip()));
            }
            throw problem(key, value, "must be a whole number", "write e.g. " + key + "=10");
        }

        /** A device count: {@code int(v)} of an int or a string. */
        private int count(String key, Object value) {
            if (value instanceof Long n && n >= 0) {
                return n.intValue();
            }
            if (value instanceof String s && s.strip().matches("\\+?\\d+")) {
                return Integer.parseInt(s.strip());
            }
            throw problem(key, value, "must be a whole number of devices, 0 or more", "write e.g. " + key + "=1");
        }

        private double positive(String key, Object value) {
            double number = number(key, value);
            if (!(number > 0)) {
                throw problem(key, value, "must be greater than 0", "write e.g. " + key + ("cpu".equals(key) ? "=1" : "=4096"));
            }
            return number;
        }

        private double number(String key, Object value) {
            if (value instanceof Conflict conflict) {
                throw new StepResources.StepProblem(step, file, "@resources(" + key + "=" + render(conflict.resources()) + ") and @batch("
                        + key + "=" + render(conflict.batch()) + ") conflict", "use consistent values or set " + key + " once");
            }
            PyFloat parsed = value instanceof PyExpr ? PyFloat.EMPTY : pythonFloat(value);
            if (!parsed.isPresent() || Double.isNaN(parsed.value()) || Double.isInfinite(parsed.value())) {
                throw problem(key, value, "must be a number written literally (Flowgate compiles the flow without running it)",
                        "write the number itself, e.g. " + key + "=4");
            }
            return parsed.value();
        }

        private RuntimeException problem(String key, Object value, String message, String fix) {
            String decorator = batch.containsKey(key) ? "batch" : "resources";
            String written = step.decorator(decorator).flatMap(d -> d.kwarg(key)).map(PyExpr::source).orElse(render(value));
            return new StepResources.StepProblem(step, file, "@" + decorator + "(" + key + "=" + written + ") " + message, fix);
        }
    }

    private static boolean truthy(Object value) {
        return !"0".equals(orZero(value)) || (value instanceof String s && s.equals("0"));
    }

    private static String render(Object value) {
        if (value instanceof PyExpr expr) {
            return expr.source();
        }
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        return value == null ? "None" : pythonStr(value);
    }

    /** {@code "%g" % float(cpu)}: six significant digits, no trailing zeros, exponent form outside 1e-4 … 1e6. */
    static String cpuText(double cpu) {
        BigDecimal rounded = new BigDecimal(cpu).round(new java.math.MathContext(6));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            String mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
            return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}

package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.StepNode;
import dev.flowgate.compiler.parse.ParsedFlow.Decorator;
import dev.flowgate.compiler.parse.PyExpr;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a step's decorators ask of AWS Batch, resolved as Metaflow resolves them: the container (cpu, gpu, memory,
 * queue, image, job role and every job definition setting of {@code @batch} and {@code @resources},
 * {@link BatchContainer}); attempts from {@code @retry} and {@code @catch}; the time limit from {@code @timeout};
 * environment variables from {@code @environment}. Values must be literals: the flow is never run.
 */
public record StepResources(BatchContainer container, int userRetries, int fallbackRetries, long timeoutSeconds,
                            Map<String, String> environment) {

    public static StepResources of(StepNode step, DeploymentSettings settings, String file) {
        BatchContainer container = BatchContainer.of(step, settings, file);
        int retries = step.decorator("retry").isPresent() ? (int) number(step.decorator("retry"), "times", 3, step, file) : 0;
        int fallback = step.has("catch") ? 3 : 0;
        if (retries + 2 > 6 && retries > 0) {
            throw new StepProblem(step, file, "@retry(times=" + retries + ") is too many: Metaflow allows at most 4 retries", "use @retry(times=4) or fewer");
        }
        long timeout = settings.defaultRuntimeLimitSeconds();
        Optional<Decorator> timeoutDeco = step.decorator("timeout");
        if (timeoutDeco.isPresent()) {
            timeout = (long) (number(timeoutDeco, "seconds", 0, step, file) + 60 * number(timeoutDeco, "minutes", 0, step, file)
                    + 3600 * number(timeoutDeco, "hours", 0, step, file));
            if (timeout <= 0) {
                throw new StepProblem(step, file, "@timeout needs seconds=, minutes= or hours= greater than zero", "write e.g. @timeout(minutes=30)");
            }
            if (timeout < 60) {
                throw new StepProblem(step, file, "@timeout of " + timeout + " s is below AWS Batch's minimum of 60 s", "use @timeout(seconds=60) or longer");
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        step.decorator("environment").flatMap(d -> d.kwarg("vars")).ifPresent(v -> {
            if (!(PyExpr.literal(v) instanceof Map<?, ?> map)) {
                throw new StepProblem(step, file, "@environment(vars=...) must be a literal dict of strings", "write the values in the file, e.g. @environment(vars={\"MODE\": \"fast\"})");
            }
            map.forEach((k, value) -> env.put(String.valueOf(k), String.valueOf(value)));
        });
        return new StepResources(container, retries, fallback, timeout, env);
    }

    /** Batch attempts: 1 + user-code retries + platform (fallback) retries. */
    public int attempts() {
        return 1 + userRetries + fallbackRetries;
    }

    private static double number(Optional<Decorator> decorator, String key, double fallback, StepNode step, String file) {
        if (decorator.isEmpty()) {
            return fallback;
        }
        Optional<PyExpr> value = decorator.get().kwarg(key);
        if (value.isEmpty() || value.get() instanceof PyExpr.None) {
            return fallback;
        }
        Object literal = PyExpr.literal(value.get());
        if (literal instanceof Number n) {
            return n.doubleValue();
        }
        if (literal instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new StepProblem(step, file, "@" + decorator.get().name() + "(" + key + "=" + value.get().source()
                + ") must be a number written literally (Flowgate compiles the flow without running it)", "write the number itself, e.g. " + key + "=4");
    }

    /** A decorator value Flowgate cannot compile; names the step and the file. */
    public static final class StepProblem extends RuntimeException {
        private final String step;
        private final int line;

        private final String fix;

        public StepProblem(StepNode node, String file, String message, String fix) {
            super(file + ":" + node.line() + ": step '" + node.name() + "': " + message);
            this.step = node.name();
            this.line = node.line();
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }

        public String step() {
            return step;
        }

        public int line() {
            return line;
        }
    }
}

package dev.flowgate.aws;

import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.util.function.Consumer;

/**
 * CloudWatch metrics in Embedded Metric Format through Powertools Metrics, one EMF document per call (Powertools'
 * {@code flushMetrics}: its own dimensions, so concurrent requests never mix). Emitted in Lambda (where the log
 * line becomes the metric) or with {@code FLOWGATE_METRICS=emf}; elsewhere (the local runtime, tests) a no-op,
 * so local logs stay one short line per request. The namespace is {@code POWERTOOLS_METRICS_NAMESPACE} when set.
 */
public final class FlowgateMetrics {
    private final boolean enabled;
    private final String namespace;

    private FlowgateMetrics(boolean enabled, String namespace) {
        this.enabled = enabled;
        this.namespace = namespace;
    }

    public static FlowgateMetrics from(Environment env, String defaultNamespace) {
        boolean enabled = env.get("FLOWGATE_METRICS").map("emf"::equalsIgnoreCase)
                .orElse(env.get("AWS_LAMBDA_FUNCTION_NAME").isPresent());
        return new FlowgateMetrics(enabled, env.get("POWERTOOLS_METRICS_NAMESPACE", defaultNamespace));
    }

    public static FlowgateMetrics disabled() {
        return new FlowgateMetrics(false, "none");
    }

    public boolean enabled() {
        return enabled;
    }

    /** Writes one EMF document with what {@code metrics} adds (dimensions and values). */
    public void emit(Consumer<Metrics> metrics) {
        if (!enabled) {
            return;
        }
        Metrics instance = MetricsFactory.getMetricsInstance();
        instance.setNamespace(namespace);
        instance.flushMetrics(metrics);
    }
}

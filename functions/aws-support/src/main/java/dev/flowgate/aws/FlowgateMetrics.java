package dev.flowgate.aws;

import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * CloudWatch metrics in Embedded Metric Format through Powertools Metrics, one EMF document per call (Powertools'
 * {@code flushMetrics}: its own dimensions, so concurrent requests never mix). Emitted in Lambda, where the EMF log
 * line becomes the metric; elsewhere (the local runtime, tests) a no-op, so local logs stay one short line per
 * request. The namespace is {@code POWERTOOLS_METRICS_NAMESPACE} when set, else the function's default.
 */
public final class FlowgateMetrics {
    private final boolean enabled;
    private final String namespace;
    private final Supplier<Metrics> metrics;

    /** {@code metrics}: Powertools' instance in production, a recording fake in tests. */
    public FlowgateMetrics(boolean enabled, String namespace, Supplier<Metrics> metrics) {
        this.enabled = enabled;
        this.namespace = namespace;
        this.metrics = metrics;
    }

    public static FlowgateMetrics from(Environment env, String defaultNamespace) {
        return new FlowgateMetrics(env.get("AWS_LAMBDA_FUNCTION_NAME").isPresent(),
                env.get("POWERTOOLS_METRICS_NAMESPACE", defaultNamespace), MetricsFactory::getMetricsInstance);
    }

    public static FlowgateMetrics disabled() {
        return new FlowgateMetrics(false, "none", MetricsFactory::getMetricsInstance);
    }

    /** For {@link RecordedMetrics}: the same emitter over a recorder that keeps each document in {@code sink}. */
    FlowgateMetrics recordingTo(RecordedMetrics sink) {
        return new FlowgateMetrics(enabled, namespace, () -> new RecordedMetrics.Recorder().sink(sink));
    }

    public String namespace() {
        return namespace;
    }

    /** Writes one EMF document with what {@code document} adds (dimensions and values). */
    public void emit(Consumer<Metrics> document) {
        if (!enabled) {
            return;
        }
        Metrics instance = metrics.get();
        instance.setNamespace(namespace);
        instance.flushMetrics(document);
    }
}

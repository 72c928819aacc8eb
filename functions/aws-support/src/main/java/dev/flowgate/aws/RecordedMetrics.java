package dev.flowgate.aws;

import com.amazonaws.services.lambda.runtime.Context;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricResolution;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The in-memory fake of Powertools {@link Metrics} (as Powertools' own in-memory stores are for its ports): every
 * document a {@link FlowgateMetrics} emits is kept with its namespace, dimensions and values, for tests to read.
 */
public final class RecordedMetrics {
    private final List<Document> documents = new ArrayList<>();

    /** One EMF document: what one {@link FlowgateMetrics#emit} call produced. */
    public record Document(String namespace, Map<String, String> dimensions, Map<String, Double> values) {
    }

    /** A {@link FlowgateMetrics} that records here instead of writing EMF. */
    public FlowgateMetrics metrics(String namespace) {
        return new FlowgateMetrics(true, namespace, Recorder::new).recordingTo(this);
    }

    public synchronized List<Document> documents() {
        return List.copyOf(documents);
    }

    synchronized void add(Document document) {
        documents.add(document);
    }

    /** Collects one document; {@code flushMetrics} hands itself to the consumer, as Powertools hands a fresh logger. */
    static final class Recorder implements Metrics {
        private String namespace;
        private final Map<String, String> dimensions = new LinkedHashMap<>();
        private final Map<String, Double> values = new LinkedHashMap<>();
        private RecordedMetrics sink;

        Recorder sink(RecordedMetrics sink) {
            this.sink = sink;
            return this;
        }

        @Override
        public void addMetric(String key, double value, software.amazon.lambda.powertools.metrics.model.MetricUnit unit,
                              MetricResolution resolution) {
            values.merge(key, value, Double::sum);
        }

        @Override
        public void addDimension(DimensionSet dimensionSet) {
            dimensions.putAll(dimensionSet.getDimensions());
        }

        @Override
        public void setTimestamp(Instant timestamp) {
        }

        @Override
        public void addMetadata(String key, Object value) {
        }

        @Override
        public void setDefaultDimensions(DimensionSet dimensionSet) {
            dimensions.putAll(dimensionSet.getDimensions());
        }

        @Override
        public DimensionSet getDefaultDimensions() {
            return DimensionSet.of(dimensions);
        }

        @Override
        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        @Override
        public void setRaiseOnEmptyMetrics(boolean raiseOnEmptyMetrics) {
        }

        @Override
        public void clearDefaultDimensions() {
            dimensions.clear();
        }

        @Override
        public void flush() {
            if (sink != null) {
                sink.add(new Document(namespace, Map.copyOf(dimensions), Map.copyOf(values)));
            }
        }

        @Override
        public void captureColdStartMetric(Context context, DimensionSet dimensions) {
        }

        @Override
        public void captureColdStartMetric(DimensionSet dimensions) {
        }

        @Override
        public void flushMetrics(Consumer<Metrics> metricsConsumer) {
            Recorder document = new Recorder().sink(sink);
            document.setNamespace(namespace);
            metricsConsumer.accept(document);
            document.flush();
        }
    }
}

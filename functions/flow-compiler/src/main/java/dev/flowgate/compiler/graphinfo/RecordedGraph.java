package dev.flowgate.compiler.graphinfo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a Metaflow run recorded about the flow it executed: its {@code _graph_info} artifact (Metaflow 2.19
 * {@code FlowSpec._set_constants} from {@code FlowGraph.output_steps()}), read into typed values. Attribute values
 * keep Metaflow's {@code to_pod} forms: str, int, float and bool as they were; {@code None} and every other object
 * as its {@code str()} (so {@code "None"}); tuples, lists and sets as lists; dicts as dicts.
 *
 * @param parameters the flow's {@code Parameter}/{@code Config}/{@code IncludeFile} attributes with their class
 *                   name (Metaflow records no defaults)
 */
public record RecordedGraph(String startStep, String endStep, Map<String, RecordedStep> steps,
                            List<RecordedDecorator> flowDecorators, List<RecordedParameter> parameters) {
    public RecordedGraph {
        steps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        flowDecorators = List.copyOf(flowDecorators);
        parameters = List.copyOf(parameters);
    }

    /** One step as the run recorded it; {@code type} is Metaflow's {@code output_steps} name, e.g. {@code split-foreach}. */
    public record RecordedStep(String name, String type, List<String> next, Optional<String> foreachArtifact,
                               Optional<Long> numParallel, Optional<String> condition, Map<String, String> switchCases,
                               Optional<String> matchingJoin, List<RecordedDecorator> decorators) {
        public RecordedStep {
            next = List.copyOf(next);
            switchCases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(switchCases));
            decorators = List.copyOf(decorators);
        }
    }

    /**
     * A decorator as the run recorded it.
     *
     * @param staticallyDefined false for one added at run time ({@code --with}): the run's choice, never compared
     * @param insertedBy        the mutators that added it ({@code __main__.robust_flow}); empty when the code wrote it
     */
    public record RecordedDecorator(String name, Map<String, Object> attributes, boolean staticallyDefined,
                                    List<String> insertedBy) {
        public RecordedDecorator {
            attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
            insertedBy = List.copyOf(insertedBy);
        }

        public boolean insertedByMutator() {
            return !insertedBy.isEmpty();
        }

        /** Metaflow's own decorators have plain names; user decorators and mutators a dotted {@code module.name}. */
        public boolean isMetaflow() {
            return !name.contains(".");
        }
    }

    public record RecordedParameter(String name, String type) {
    }

    /** The record is not what Metaflow writes; names the field. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message);
        }
    }

    /** From JSON text (the decoded record, as {@code flowgate compile --graph-info FILE} takes it). */
    public static RecordedGraph fromJson(String json) {
        JsonNode node;
        try {
            node = FlowgateJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new Malformed("the graph info is not JSON: " + e.getMessage());
        }
        return fromPlain(FlowgateJson.mapper().convertValue(node, Object.class));
    }

    /** From plain values (Map, List, String, Number, Boolean, null), as a decoded pickle gives them. */
    public static RecordedGraph fromPlain(Object value) {
        Map<?, ?> root = map(value, "graph info");
        Map<?, ?> steps = map(root.get("steps"), "steps");
        Map<String, RecordedStep> recorded = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : steps.entrySet()) {
            String name = String.valueOf(e.getKey());
            Map<?, ?> step = map(e.getValue(), "steps." + name);
            Map<String, String> cases = new LinkedHashMap<>();
            Object rawCases = step.get("switch_cases");
            if (rawCases != null) {
                map(rawCases, "steps." + name + ".switch_cases").forEach((k, v) -> cases.put(String.valueOf(k), String.valueOf(v)));
            }
            recorded.put(name, new RecordedStep(name, string(step.get("type"), "steps." + name + ".type"),
                    strings(step.get("next"), "steps." + name + ".next"),
                    optionalString(step.get("foreach_artifact")),
                    step.get("num_parallel") instanceof Number n ? Optional.of(n.longValue()) : Optional.empty(),
                    optionalString(step.get("condition")), cases, optionalString(step.get("matching_join")),
                    decorators(step.get("decorators"), "steps." + name + ".decorators")));
        }
        List<RecordedParameter> parameters = new ArrayList<>();
        for (Object p : list(root.containsKey("parameters") ? root.get("parameters") : List.of(), "parameters")) {
            Map<?, ?> param = map(p, "parameters[]");
            parameters.add(new RecordedParameter(string(param.get("name"), "parameters[].name"),
                    string(param.get("type"), "parameters[].type")));
        }
        return new RecordedGraph(string(root.get("start_step"), "start_step"), string(root.get("end_step"), "end_step"),
                recorded, decorators(root.get("decorators"), "decorators"), parameters);
    }

    private static List<RecordedDecorator> decorators(Object value, String field) {
        List<RecordedDecorator> decorators = new ArrayList<>();
        for (Object d : list(value == null ? List.of() : value, field)) {
            Map<?, ?> deco = map(d, field + "[]");
            Map<String, Object> attributes = new LinkedHashMap<>();
            Object rawAttributes = deco.get("attributes");
            if (rawAttributes != null) {
                map(rawAttributes, field + "[].attributes").forEach((k, v) -> attributes.put(String.valueOf(k), v));
            }
            Object inserted = deco.get("inserted_by");
            List<String> insertedBy = inserted == null ? List.of()
                    : inserted instanceof String s ? List.of(s) : strings(inserted, field + "[].inserted_by");
            decorators.add(new RecordedDecorator(string(deco.get("name"), field + "[].name"), attributes,
                    !Boolean.FALSE.equals(deco.get("statically_defined")), insertedBy));
        }
        return decorators;
    }

    private static Map<?, ?> map(Object value, String field) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new Malformed("the graph info's " + field + " is not a dict");
    }

    private static Collection<?> list(Object value, String field) {
        if (value instanceof Collection<?> c) {
            return c;
        }
        throw new Malformed("the graph info's " + field + " is not a list");
    }

    private static String string(Object value, String field) {
        if (value instanceof String s) {
            return s;
        }
        throw new Malformed("the graph info's " + field + " is not a string");
    }

    private static Optional<String> optionalString(Object value) {
        return value instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static List<String> strings(Object value, String field) {
        List<String> out = new ArrayList<>();
        for (Object item : list(value, field)) {
            out.add(string(item, field + "[]"));
        }
        return out;
    }
}

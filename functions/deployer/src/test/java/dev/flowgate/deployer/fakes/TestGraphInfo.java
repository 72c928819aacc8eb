package dev.flowgate.deployer.fakes;

import net.razorvine.pickle.Pickler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * {@code _graph_info} records as Metaflow 2.19 writes them (the fields the gate reads), pickled with plain values
 * only and gzipped as Metaflow's content-addressed store keeps them. Built by hand for the flows of the tests; the
 * real thing, made by Metaflow, is {@code src/test/resources/graphinfo/mutated_flow_graph_info.gz}.
 */
public final class TestGraphInfo {
    private final Map<String, Object> steps = new HashMap<>();
    private final List<Object> flowDecorators = new ArrayList<>();
    private final List<Object> parameters = new ArrayList<>();

    public TestGraphInfo step(String name, String type, List<String> next, Map<String, Object>... decorators) {
        steps.put(name, new HashMap<>(Map.of("name", name, "type", type, "next", next,
                "decorators", new ArrayList<>(List.of(decorators)), "node_info", Map.of())));
        return this;
    }

    public TestGraphInfo flowDecorator(Map<String, Object> decorator) {
        flowDecorators.add(decorator);
        return this;
    }

    public TestGraphInfo parameter(String name, String type) {
        parameters.add(Map.of("name", name, "type", type));
        return this;
    }

    public static Map<String, Object> decorator(String name, Map<String, Object> attributes) {
        Map<String, Object> deco = new HashMap<>();
        deco.put("name", name);
        deco.put("attributes", new HashMap<>(attributes));
        deco.put("statically_defined", true);
        deco.put("inserted_by", null);
        return deco;
    }

    /** The pickle (protocol 2, plain values). */
    public byte[] pickle() {
        Map<String, Object> root = new HashMap<>();
        root.put("start_step", "start");
        root.put("end_step", "end");
        root.put("steps", steps);
        root.put("decorators", flowDecorators);
        root.put("parameters", parameters);
        root.put("constants", List.of());
        try {
            return new Pickler().dumps(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

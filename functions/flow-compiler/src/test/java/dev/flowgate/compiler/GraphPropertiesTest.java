package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.model.json.FlowgateJson;
import java.io.IOException;
import dev.flowgate.compiler.graph.FlowLintException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random valid flows (chains, static splits, foreach, nested) printed as Python parse back to the same graph;
 * random mutations of valid files give a graph or a lint error — never any other exception.
 */
class GraphPropertiesTest {

    /** A generated flow: its source and the transitions it was generated with. */
    record Generated(String source, Map<String, List<String>> edges) {
    }

    @Property(tries = 300)
    void printedFlow_parsesBackToTheSameGraph(@ForAll("flows") Generated flow) {
        FlowGraph graph = FlowCompiler.parse("gen.py", flow.source());
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        graph.steps().values().forEach(s -> parsed.put(s.name(), s.outFuncs()));
        assertThat(parsed).isEqualTo(flow.edges());
    }

    /** Every valid graph compiles, and every transition of the state machine names a state of its own scope. */
    @Property(tries = 200)
    void validFlow_compilesToAClosedStateMachine(@ForAll("flows") Generated flow) throws IOException {
        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse("gen.py", flow.source()), CorpusGoldenTest.options());
        JsonNode definition = FlowgateJson.parse(compiled.definitionJson());
        List<String> taskStates = new ArrayList<>();
        assertClosed(definition, taskStates);
        assertThat(taskStates).containsExactlyInAnyOrderElementsOf(flow.edges().keySet());
    }

    private static void assertClosed(JsonNode scope, List<String> taskStates) {
        JsonNode states = scope.get("States");
        assertThat(states.has(scope.get("StartAt").asText())).isTrue();
        states.fields().forEachRemaining(e -> {
            JsonNode state = e.getValue();
            if (state.path("Resource").asText().endsWith("batch:submitJob.sync")) {
                taskStates.add(e.getKey());
            }
            assertThat(state.has("Next") || state.has("End") || state.has("Choices") || state.path("Type").asText().equals("Fail"))
                    .as(e.getKey()).isTrue();
            if (state.has("Next")) {
                assertThat(states.has(state.get("Next").asText())).as(e.getKey() + " -> " + state.get("Next")).isTrue();
            }
            state.path("Choices").forEach(c -> assertThat(states.has(c.get("Next").asText())).isTrue());
            if (state.has("Default")) {
                assertThat(states.has(state.get("Default").asText())).isTrue();
            }
            state.path("Branches").forEach(b -> assertClosed(b, taskStates));
            if (state.has("Iterator")) {
                assertClosed(state.get("Iterator"), taskStates);
            }
        });
    }

    @Property(tries = 500)
    void mutatedFlow_isAGraphOrALintErrorNeverACrash(@ForAll("flows") Generated flow, @ForAll("seeds") long seed) {
        String mutated = mutate(flow.source(), new Random(seed));
        try {
            FlowCompiler.parse("gen.py", mutated);
        } catch (FlowLintException expected) {
            assertThat(expected.problems()).isNotEmpty();
            assertThat(expected.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
        }
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<Generated> flows() {
        return Arbitraries.longs().map(seed -> generate(new Random(seed)));
    }

    static Generated generate(Random random) {
        Map<String, List<String>> edges = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        int[] counter = {0};
        String first = block(random, 0, "end", edges, kinds, counter);
        edges.put("start", List.of(first));
        kinds.put("start", "linear");
        edges.put("end", List.of());
        kinds.put("end", "end");
        StringBuilder py = new StringBuilder("from metaflow import FlowSpec, step\n\n\nclass GenFlow(FlowSpec):\n");
        List<String> order = new ArrayList<>(List.of("start"));
        edges.keySet().stream().filter(n -> !n.equals("start")).forEach(order::add);
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        for (String name : order) {
            ordered.put(name, edges.get(name));
            String kind = kinds.get(name);
            py.append("    @step\n    def ").append(name).append(kind.equals("join") ? "(self, inputs):\n" : "(self):\n");
            py.append("        self.value = ").append(random.nextInt(100)).append("\n");
            List<String> out = edges.get(name);
            if (kind.equals("end")) {
                py.append("        pass\n\n");
            } else if (kind.equals("switch")) {
                py.append("        self.pick = \"c0\"\n        self.next({");
                for (int i = 0; i < out.size(); i++) {
                    py.append(i > 0 ? ", " : "").append("\"c").append(i).append("\": self.").append(out.get(i));
                }
                py.append("}, condition=\"pick\")\n\n");
            } else if (kind.equals("foreach")) {
                py.append("        self.items = [1, 2]\n        self.next(self.").append(out.get(0)).append(", foreach=\"items\")\n\n");
            } else {
                py.append("        self.next(");
                for (int i = 0; i < out.size(); i++) {
                    py.append(i > 0 ? ", " : "").append("self.").append(out.get(i));
                }
                py.append(")\n\n");
            }
        }
        return new Generated(py.toString(), ordered);
    }

    /** Generates a block that ends by going to {@code exit}; returns its first step. */
    private static String block(Random random, int depth, String exit, Map<String, List<String>> edges,
                                Map<String, String> kinds, int[] counter) {
        int choice = depth > 2 ? 0 : random.nextInt(4);
        if (choice == 0) {
            String name = "s" + counter[0]++;
            edges.put(name, List.of(exit));
            kinds.put(name, "linear");
            return name;
        }
        if (choice == 3) {
            String switchStep = "s" + counter[0]++;
            String meet = "m" + counter[0]++;
            List<String> cases = new ArrayList<>();
            edges.put(switchStep, cases);
            kinds.put(switchStep, "switch");
            int width = 2 + random.nextInt(2);
            for (int i = 0; i < width; i++) {
                cases.add(block(random, depth + 1, meet, edges, kinds, counter));
            }
            edges.put(meet, List.of(exit));
            kinds.put(meet, "linear");
            return switchStep;
        }
        String split = "s" + counter[0]++;
        String join = "j" + counter[0]++;
        if (choice == 1) {
            int width = 2 + random.nextInt(2);
            List<String> branches = new ArrayList<>();
            edges.put(split, branches);
            kinds.put(split, "split");
            for (int i = 0; i < width; i++) {
                branches.add(block(random, depth + 1, join, edges, kinds, counter));
            }
        } else {
            List<String> body = new ArrayList<>();
            edges.put(split, body);
            kinds.put(split, "foreach");
            body.add(block(random, depth + 1, join, edges, kinds, counter));
        }
        edges.put(join, List.of(exit));
        kinds.put(join, "join");
        return split;
    }

    static String mutate(String source, Random random) {
        List<String> lines = new ArrayList<>(List.of(source.split("\n", -1)));
        int line = random.nextInt(lines.size());
        switch (random.nextInt(5)) {
            case 0 -> lines.remove(line);
            case 1 -> lines.add(line, lines.get(random.nextInt(lines.size())));
            case 2 -> {
                String l = lines.get(line);
                if (!l.isEmpty()) {
                    int at = random.nextInt(l.length());
                    lines.set(line, l.substring(0, at) + l.substring(at + 1));
                }
            }
            case 3 -> {
                String l = lines.get(line);
                int at = l.isEmpty() ? 0 : random.nextInt(l.length());
                String junk = List.of("(", ")", "\"", "'", ":", "    ", "self.next(self.x)", "@step", "\\", "#").get(random.nextInt(10));
                lines.set(line, l.substring(0, at) + junk + l.substring(at));
            }
            default -> {
                int other = random.nextInt(lines.size());
                String tmp = lines.get(line);
                lines.set(line, lines.get(other));
                lines.set(other, tmp);
            }
        }
        return String.join("\n", lines);
    }
}

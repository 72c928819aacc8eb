package dev.flowgate.compiler;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.parse.ConfigInputs;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every flow of the corpus compiles to exactly its reviewed golden file. After a reviewed change, regenerate
 * with {@code -Dflowgate.updateGoldens=true} and read the diff.
 */
class CorpusGoldenTest {
    static final Path CORPUS = Path.of("src/test/resources/flows");

    static Stream<Path> flows() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".py")).sorted().toList().stream();
        }
    }

    /** A corpus flow's first line may choose deployment options: {@code # compile: --use-distributed-map ...}. */
    static final String OPTIONS_HEADER = "# compile:";

    static final String EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static CompileOptions options() throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        FlowgateJson.parse(Files.readString(CORPUS.resolve("settings.json"))).fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return CompileOptions.builder().settings(DeploymentSettings.fromConfig(config))
                .codePackageUrl("s3://test-datastore/metaflow/Flow/data/ab/abc123")
                .codePackageSha("abc123")
                .codePackageSha256("5".repeat(64))
                .production(true)
                .productionToken("prod-token-1")
                .owner("ci-user")
                .metaflowVersion("2.19.39")
                .maxWorkers(50)
                .build();
    }

    /**
     * The corpus options, changed by the flow's header: {@code --use-distributed-map}, {@code --max-workers N},
     * {@code --workflow-timeout SECONDS} (the flags of {@code flowgate compile}).
     */
    static CompileOptions options(Path flow) throws IOException {
        CompileOptions options = options();
        String first = Files.readString(flow).lines().findFirst().orElse("");
        if (!first.startsWith(OPTIONS_HEADER)) {
            return options;
        }
        CompileOptions.Builder changed = options.toBuilder();
        List<String> words = List.of(first.substring(OPTIONS_HEADER.length()).trim().split("\\s+"));
        for (int i = 0; i < words.size(); i++) {
            switch (words.get(i)) {
                case "--use-distributed-map" -> changed.distributedMap(true);
                case "--max-workers" -> changed.maxWorkers(Integer.parseInt(words.get(++i)));
                case "--workflow-timeout" -> changed.workflowTimeoutSeconds(Integer.parseInt(words.get(++i)));
                default -> throw new IllegalArgumentException(flow + ": unknown option in the header: " + words.get(i));
            }
        }
        return changed.build();
    }

    /** A corpus flow, named by its file name; a Config's default= file is read next to it (flows/configs/). */
    static FlowGraph parse(Path flow) throws IOException {
        return FlowCompiler.parse(flow.getFileName().toString(), Files.readString(flow), ConfigInputs.of(FlowCompiler.configFilesNextTo(flow)));
    }

    static String compile(Path flow) throws IOException {
        CompiledFlow compiled = FlowCompiler.compile(parse(flow), options(flow));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state_machine", compiled.stateMachineName());
        out.put("schedule", compiled.scheduleExpression().orElse(null));
        // only flows that have them carry these keys, so the goldens of other flows stay as they were
        compiled.schedule().flatMap(CompiledFlow.Schedule::timezone).ifPresent(z -> out.put("schedule_timezone", z));
        if (!compiled.finishTriggers().isEmpty()) {
            out.put("trigger_on_finish", compiled.finishTriggers().stream().map(t -> t.stateMachineName()).toList());
        }
        out.put("job_definitions", compiled.jobDefinitions().stream().map(j -> FlowgateJson.parse(j.registrationJson())).toList());
        out.put("definition", FlowgateJson.parse(compiled.definitionJson()));
        return FlowgateJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
    }

    @ParameterizedTest
    @MethodSource("flows")
    void compile_matchesGolden(Path flow) throws IOException {
        String actual = compile(flow);
        Path golden = Path.of(flow.toString().replaceAll("\\.py$", ".json"));
        if (Boolean.getBoolean("flowgate.updateGoldens") || !Files.exists(golden)) {
            Files.writeString(golden, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden));
    }

    @ParameterizedTest
    @MethodSource("flows")
    void compile_isDeterministic(Path flow) throws IOException {
        assertThat(compile(flow)).isEqualTo(compile(flow));
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> walk = Files.walk(Path.of("../../examples"))) {
            return walk.filter(p -> p.toString().endsWith("_flow.py")).sorted().toList().stream();
        }
    }

    /**
     * Every example of the repository compiles (with examples/settings.json) to its reviewed state machine in
     * statemachines/examples/ — the files platform engineers read to see what a flow becomes.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void example_compilesToItsReviewedStateMachine(Path file) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        FlowgateJson.parse(Files.readString(Path.of("../../examples/settings.json"))).fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        // the deployer publishes the verified package at flowgate/verified/<sha256>/<Flow>/data/<sha1[0:2]>/<sha1>;
        // the digests here are those of an empty file, standing for any package
        CompileOptions options = CompileOptions.builder().settings(DeploymentSettings.fromConfig(config))
                .codePackageUrl("s3://flowgate-example-datastore/flowgate/verified/" + EMPTY_SHA256 + "/Flow/data/da/" + EMPTY_SHA1)
                .codePackageSha(EMPTY_SHA1)
                .codePackageSha256(EMPTY_SHA256)
                .production(true)
                .productionToken("<production-token>")
                .owner("flowgate")
                .metaflowVersion("2.19.39")
                .build();
        String relative = Path.of("../../examples").relativize(file).toString();
        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse(relative, Files.readString(file)), options);
        String actual = FlowgateJson.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(FlowgateJson.parse(compiled.definitionJson())) + "\n";
        Path golden = Path.of("../../statemachines/examples", compiled.stateMachineName() + ".json");
        if (Boolean.getBoolean("flowgate.updateGoldens") || !Files.exists(golden)) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
        }
        assertThat(actual).as("statemachines/examples/%s.json is stale: regenerate with -Dflowgate.updateGoldens=true and review",
                compiled.stateMachineName()).isEqualTo(Files.readString(golden));
    }
}

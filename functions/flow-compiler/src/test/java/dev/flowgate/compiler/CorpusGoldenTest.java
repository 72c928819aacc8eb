package dev.flowgate.compiler;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
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

    static CompileOptions options() throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        FlowgateJson.parse(Files.readString(CORPUS.resolve("settings.json"))).fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return new CompileOptions(DeploymentSettings.fromConfig(config), "s3://test-datastore/metaflow/Flow/data/ab/abc123",
                "abc123", null, null, true, "prod-token-1", "ci-user", "2.19.39", 50);
    }

    static String compile(Path flow) throws IOException {
        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse(flow.getFileName().toString(), Files.readString(flow)), options());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state_machine", compiled.stateMachineName());
        out.put("schedule", compiled.scheduleExpression().orElse(null));
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

    @org.junit.jupiter.api.Test
    void everyExampleOfTheRepositoryCompiles() throws IOException {
        Path examples = Path.of("../../examples");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(examples)) {
            files = walk.filter(p -> p.toString().endsWith("_flow.py")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(7);
        for (Path file : files) {
            CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse(file.toString(), Files.readString(file)), options());
            assertThat(FlowgateJson.parse(compiled.definitionJson()).get("StartAt").asText()).as(file.toString()).isEqualTo("start");
        }
    }
}

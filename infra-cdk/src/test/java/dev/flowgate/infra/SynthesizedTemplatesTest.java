package dev.flowgate.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes the example team's synthesized templates to {@code target/synthesized/} (the Lambda assets are the test
 * placeholder): scripts/test's template-scan phase runs cfn-lint and checkov over them (scripts/scan-templates).
 */
class SynthesizedTemplatesTest {
    static final Path OUT = Path.of("target/synthesized");

    @Test
    void writesEveryStackForTheScanners() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        FlowgateApp.Stacks stacks = FlowgateApp.build(new App(), TeamSettings.parse(json), Path.of("src/test/resources"));
        Files.createDirectories(OUT);
        var writer = new ObjectMapper().writerWithDefaultPrettyPrinter();
        for (var stack : stacks.all()) {
            Files.writeString(OUT.resolve(stack.getStackName() + ".template.json"),
                    writer.writeValueAsString(Template.fromStack(stack).toJSON()));
        }
        try (var files = Files.list(OUT)) {
            assertThat(files.filter(f -> f.toString().endsWith(".template.json")).count()).isEqualTo(4);
        }
    }
}

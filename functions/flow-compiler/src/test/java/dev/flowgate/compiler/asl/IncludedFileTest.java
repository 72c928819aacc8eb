package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.compiler.graph.FlowLintException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** IncludeFile defaults: which files, where Metaflow keeps them, and the descriptor it reads back. */
class IncludedFileTest {
    private static List<IncludedFile> of(String attributes) {
        String source = "from metaflow import FlowSpec, IncludeFile, step\n\n\nclass IncFlow(FlowSpec):\n" + attributes
                + "\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n";
        return IncludedFile.of(FlowCompiler.parse("flows/inc_flow.py", source));
    }

    @Test
    void of_listsDefaultsWithTheirTextSettings_andSkipsIncludeFilesWithoutOne() {
        List<IncludedFile> files = of("    a = IncludeFile(\"labels\", default=\"data/labels.csv\")\n"
                + "    b = IncludeFile(\"weights\", default=\"w.bin\", is_text=False)\n"
                + "    c = IncludeFile(\"optional\")\n");
        assertThat(files).containsExactly(new IncludedFile("labels", "data/labels.csv", true, "utf-8", 5),
                new IncludedFile("weights", "w.bin", false, "utf-8", 6));
    }

    @Test
    void of_refusesDefaultsThatAreNotFilesOfTheRepository_withTheLine() {
        assertThatThrownBy(() -> of("    a = IncludeFile(\"labels\", default=\"s3://bucket/labels.csv\")\n"))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("inc_flow.py:5").hasMessageContaining("relative path");
        assertThatThrownBy(() -> of("    a = IncludeFile(\"labels\", default=\"/home/me/labels.csv\")\n"))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("not a file of the repository");
        assertThatThrownBy(() -> of("    a = IncludeFile(\"labels\", default=PATH + \".csv\")\n"))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("computed at run time");
    }

    @Test
    void repositoryPath_startsAtTheFlowFilesDirectory() {
        IncludedFile file = new IncludedFile("labels", "../shared/./labels.csv", true, "utf-8", 1);
        assertThat(file.repositoryPath("flows/train/train_flow.py")).isEqualTo("flows/shared/labels.csv");
        assertThat(new IncludedFile("x", "x.csv", true, "utf-8", 1).repositoryPath("flow.py")).isEqualTo("x.csv");
        assertThatThrownBy(() -> new IncludedFile("x", "../../x.csv", true, "utf-8", 1).repositoryPath("flows/f.py"))
                .hasMessageContaining("outside the repository");
    }

    @Test
    void locationDescriptorAndStoredBytes_areMetaflows() throws IOException {
        byte[] content = "a,1\nb,2\nc,3\n".getBytes(StandardCharsets.UTF_8);
        // Metaflow 2.19.39's deploy of the same bytes (e2e/test_compiler_vs_metaflow.py compares the whole defaults)
        String location = IncludedFile.location("s3://bucket/data/", "ConfigFlow", content);
        assertThat(location).isEqualTo("s3://bucket/data/ConfigFlow/bdc7ca5e9660f7336dbf5f521eac69fff6700f12");
        assertThat(new IncludedFile("data", "data.csv", true, "utf-8", 1).descriptor(location, content.length)).isEqualTo(
                "{\"type\": \"uploader-v2\", \"url\": \"" + location + "\", \"is_text\": true, \"encoding\": \"utf-8\", "
                        + "\"note\": \"Internal representation of IncludeFile\", \"sub-type\": \"uploaded\", \"size\": 12}");
        try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(IncludedFile.stored(content)))) {
            assertThat(gunzip.readAllBytes()).isEqualTo(content);
        }
    }
}

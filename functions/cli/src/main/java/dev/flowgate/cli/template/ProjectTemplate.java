package dev.flowgate.cli.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.model.json.FlowgateJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A cookiecutter template rendered without Python: reads {@code cookiecutter.json}, merges the user's values,
 * computes the derived values, validates the names, and writes the project — all of it or nothing (it renders
 * into a temporary directory beside the target and moves it into place at the end).
 */
public final class ProjectTemplate {
    private final Path templateDir;
    private final Map<String, String> defaults;

    private ProjectTemplate(Path templateDir, Map<String, String> defaults) {
        this.templateDir = templateDir;
        this.defaults = defaults;
    }

    public static ProjectTemplate load(Path templateDir) {
        Path json = templateDir.resolve("cookiecutter.json");
        if (!Files.isRegularFile(json)) {
            throw new TemplateException(templateDir + " is not a cookiecutter template (no cookiecutter.json)");
        }
        JsonNode root;
        try {
            root = FlowgateJson.parse(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().startsWith("_")) {
                if (!field.getValue().isTextual()) {
                    throw new TemplateException("cookiecutter.json: " + field.getKey() + " must be a string");
                }
                defaults.put(field.getKey(), field.getValue().asText());
            }
        }
        return new ProjectTemplate(templateDir, defaults);
    }

    /** The variables a user may set (those cookiecutter prompts for), with their defaults. */
    public Map<String, String> variables() {
        return Map.copyOf(defaults);
    }

    /**
     * The full context cookiecutter would build: defaults overridden by {@code values}, derived values
     * rendered in file order. Unknown keys and invalid names are errors.
     */
    public Map<String, String> context(Map<String, String> values) {
        for (String key : values.keySet()) {
            if (!defaults.containsKey(key)) {
                throw new TemplateException("unknown template variable '" + key + "'; known: " + defaults.keySet());
            }
        }
        Map<String, String> context = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : defaults.entrySet()) {
            String raw = values.getOrDefault(entry.getKey(), entry.getValue());
            context.put(entry.getKey(), TemplateText.render(raw, context, "cookiecutter.json:" + entry.getKey()));
        }
        List<String> problems = ProjectNames.problems(context);
        if (!problems.isEmpty()) {
            throw new TemplateException(String.join("\n", problems));
        }
        return context;
    }

    /** Renders into {@code outputDir}; returns the project directory created there. */
    public Path render(Map<String, String> values, Path outputDir) {
        Map<String, String> context = context(values);
        Path source = projectRoot();
        String projectDirName = TemplateText.render(source.getFileName().toString(), context, "directory name");
        Path target = outputDir.resolve(projectDirName);
        if (Files.exists(target)) {
            throw new TemplateException(target + " already exists; choose another project name or output directory");
        }
        try {
            Files.createDirectories(outputDir);
            Path staging = Files.createTempDirectory(outputDir, "." + projectDirName + "-");
            try {
                copyRendered(source, staging, context);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new TemplateException(target + " already exists");
            } finally {
                deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the project: " + e.getMessage(), e);
        }
        return target;
    }

    private Path projectRoot() {
        try (Stream<Path> children = Files.list(templateDir)) {
            List<Path> roots = children.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().contains("{{")).toList();
            if (roots.size() != 1) {
                throw new TemplateException(templateDir + " must hold exactly one {{cookiecutter.…}} directory, found " + roots.size());
            }
            return roots.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyRendered(Path source, Path target, Map<String, String> context) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            Path relative = source.relativize(file);
            List<String> segments = new ArrayList<>();
            for (Path segment : relative) {
                segments.add(TemplateText.render(segment.toString(), context, "path " + relative));
            }
            Path out = target.resolve(String.join("/", segments));
            Files.createDirectories(out.getParent());
            byte[] bytes = Files.readAllBytes(file);
            String text = utf8OrNull(bytes);
            if (text == null) {
                Files.write(out, bytes); // binary: copied as is, like cookiecutter
            } else {
                Files.writeString(out, TemplateText.render(text, context, relative.toString()), StandardCharsets.UTF_8);
            }
            if (Files.isExecutable(file)) {
                out.toFile().setExecutable(true, false);
            }
        }
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

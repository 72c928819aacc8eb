package dev.flowgate.compiler.asl;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.parse.ParsedFlow.ParameterDef;
import dev.flowgate.compiler.parse.PyExpr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The default file of an {@code IncludeFile} parameter. Metaflow's {@code step-functions create} uploads it at deploy
 * time (gzip, content-addressed under {@code <METAFLOW_DATATOOLS_S3ROOT>/<Flow>/<sha1 of the file>}) and puts a
 * descriptor of the upload in {@code METAFLOW_DEFAULT_PARAMETERS}, which the {@code init} of a run reads back.
 * Flowgate never runs the flow, so the deployer reads the file from git, stores it the same way and gives the
 * compiler the descriptor ({@link CompileOptions#includedFiles()}); without one the parameter has no default.
 *
 * @param parameter   the parameter's name (the key in the defaults)
 * @param defaultPath the default as written, a path relative to the flow file's directory
 */
public record IncludedFile(String parameter, String defaultPath, boolean isText, String encoding, int line) {

    /** The flow's {@code IncludeFile} parameters that have a default; a default that is not a literal is refused. */
    public static List<IncludedFile> of(FlowGraph graph) {
        List<IncludedFile> files = new ArrayList<>();
        List<LintProblem> problems = new ArrayList<>();
        for (ParameterDef parameter : graph.parameters()) {
            if (!parameter.kind().equals("IncludeFile") || parameter.defaultValue().isEmpty()
                    || parameter.defaultValue().get() instanceof PyExpr.None) {
                continue;
            }
            if (!(parameter.defaultValue().get() instanceof PyExpr.Str path) || path.value().isBlank()) {
                problems.add(new LintProblem(graph.fileName(), parameter.line(), null, "IncludeFile '" + parameter.name()
                        + "' has a default computed at run time (" + parameter.defaultValue().get().source()
                        + "); Flowgate uploads the default file at deploy time without running the flow",
                        "write the path literally, e.g. default=\"data/labels.csv\" (relative to the flow file)"));
                continue;
            }
            if (path.value().contains("://") || path.value().startsWith("/") || path.value().startsWith("~")) {
                problems.add(new LintProblem(graph.fileName(), parameter.line(), null, "IncludeFile '" + parameter.name()
                        + "' default " + path.value() + " is not a file of the repository (Metaflow no longer reads"
                        + " defaults from cloud storage; an absolute path only exists on your machine)",
                        "commit the file next to the flow and write its relative path, e.g. default=\"data/labels.csv\""));
                continue;
            }
            Object isText = literal(parameter.arguments().get("is_text"), Boolean.TRUE);
            Object encoding = literal(parameter.arguments().get("encoding"), "utf-8");
            if (!(isText instanceof Boolean text) || !(encoding instanceof String charset) || !Charset.isSupported(charset)) {
                problems.add(new LintProblem(graph.fileName(), parameter.line(), null, "IncludeFile '" + parameter.name()
                        + "': is_text= must be True or False and encoding= a known encoding, written literally",
                        "write e.g. is_text=True, encoding=\"utf-8\""));
                continue;
            }
            files.add(new IncludedFile(parameter.name(), path.value(), text, charset, parameter.line()));
        }
        if (!problems.isEmpty()) {
            throw new FlowLintException(problems);
        }
        return List.copyOf(files);
    }

    /** Where Metaflow stores this content: {@code <datatools root>/<Flow>/<sha1 of the raw bytes>}. */
    public static String location(String datatoolsRoot, String flowName, byte[] content) {
        return datatoolsRoot.replaceAll("/+$", "") + "/" + flowName + "/" + sha1(content);
    }

    /** The stored object: the content gzip-compressed, as Metaflow writes it (and reads it back). */
    public static byte[] stored(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The descriptor Metaflow's IncludeFile (uploader v2) writes for an upload, as {@code json.dumps} prints it. */
    public String descriptor(String location, long size) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("type", "uploader-v2");
        descriptor.put("url", location);
        descriptor.put("is_text", isText);
        descriptor.put("encoding", encoding);
        descriptor.put("note", "Internal representation of IncludeFile");
        descriptor.put("sub-type", "uploaded");
        descriptor.put("size", size);
        return PythonJson.dumps(descriptor);
    }

    /** The path of the default file in the repository, given the flow file's path (both with '/' separators). */
    public String repositoryPath(String flowFile) {
        int slash = flowFile.lastIndexOf('/');
        String directory = slash < 0 ? "" : flowFile.substring(0, slash + 1);
        List<String> parts = new ArrayList<>();
        for (String part : (directory + defaultPath).split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("IncludeFile '" + parameter + "' default " + defaultPath
                            + " points outside the repository");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    private static Object literal(PyExpr expr, Object fallback) {
        if (expr == null) {
            return fallback;
        }
        Object value = PyExpr.literal(expr);
        return value == PyExpr.NOT_LITERAL ? null : value;
    }

    private static String sha1(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

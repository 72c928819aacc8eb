package dev.flowgate.compiler.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.FlowCompiler;
import dev.flowgate.model.json.FlowgateJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile values reach the container command verbatim and execute nothing: proven by running bash on the real
 * generated command, with {@code python} and {@code tar} replaced by a recorder on PATH (every other command is
 * the real one), and looking for a file any of the payloads would create.
 */
class ContainerCommandInjectionTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Map<String, String> SETTINGS = Map.of("METAFLOW_DATASTORE_SYSROOT_S3", "s3://team-datastore/metaflow",
            "METAFLOW_BATCH_JOB_QUEUE", "arn:aws:batch:us-east-1:123456789012:job-queue/q",
            "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch",
            "METAFLOW_SERVICE_URL", "https://metadata.example.com");
    private static final String FLOW = """
            from metaflow import FlowSpec, Parameter, step, project

            @project(name="demo")
            class InjectFlow(FlowSpec):
                alpha = Parameter("alpha", default="a")

                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;
    /** Replaces python: runs the generated python -c programs for real, records every Metaflow command. */
    private static final String RECORDER = """
            import json, os, sys
            a = sys.argv[1:]
            if a[:1] == ["-c"]:
                if "download_file" in a[1]:
                    open("job.tar", "wb").close()
                    sys.exit(0)
                os.execv(sys.executable, [sys.executable] + a)
            if a[:1] == ["-m"]:
                if a[1] == "metaflow.mflog.tee":
                    sys.stdout.buffer.write(sys.stdin.buffer.read())
                sys.exit(0)
            init = {k: v for k, v in os.environ.items() if k.startswith("METAFLOW_INIT_")}
            with open(os.environ["FLOWGATE_RECORD"], "a") as f:
                f.write(json.dumps({"argv": a, "init": init}) + "\\n")
            sys.exit(1 if "dump" in a else 0)
            """;

    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<String> fragments = Arbitraries.of("'", "\"", "$(touch pwned)", "`touch pwned`", ";touch pwned;", "';touch$IFS/tmp/x;'",
                "\n touch pwned\n", "$IFS", "${IFS}", "\\", "é", "日本語", "*", "~", "!", "&& touch pwned", "| touch pwned", ">pwned",
                "<", "#", " ", "%", "{a,b}", "\t", "$((1+1))", "$HOME", "\"$(touch pwned)\"", "\\'", "--with=x", "-");
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMaxLength(12);
        return Arbitraries.oneOf(fragments, text).list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join("", parts));
    }

    @Property(tries = 40)
    void parameterValue_arrivesVerbatimInInit_andNothingExecutes(@ForAll("hostile") String value) throws Exception {
        String command = startCommand("b");
        Path dir = Files.createTempDirectory("inject");
        Run run = run(dir, command, Map.of("METAFLOW_PARAMETERS", FlowgateJson.write(Map.of("alpha", value))));

        assertThat(run.exit).as(run.output).isZero();
        assertThat(pwned(dir)).as("a payload executed").isEmpty();
        JsonNode init = run.records.stream().filter(r -> argv(r).contains("init")).findFirst().orElseThrow();
        assertThat(init.at("/init/METAFLOW_INIT_ALPHA").asText()).isEqualTo(value);
    }

    @Property(tries = 40)
    void branch_isRefusedAtCompile_orArrivesVerbatim(@ForAll("hostile") String branch) throws Exception {
        String command;
        try {
            command = startCommand(branch);
        } catch (dev.flowgate.compiler.graph.FlowLintException | IllegalArgumentException e) {
            // refused (an empty branch is refused by StateMachineNames before any command is built)
            assertThat(e.getMessage()).containsIgnoringCase("branch");
            return;
        }
        Path dir = Files.createTempDirectory("inject");
        Run run = run(dir, command, Map.of());
        assertThat(run.exit).as(run.output).isZero();
        assertThat(pwned(dir)).isEmpty();
        JsonNode step = run.records.stream().filter(r -> argv(r).contains("step")).findFirst().orElseThrow();
        List<String> argv = argv(step);
        assertThat(argv.get(argv.indexOf("--branch") + 1)).isEqualTo(branch);
    }

    @Property(tries = 20)
    void hostileParameterName_stopsTheTask_beforeInit(@ForAll("hostile") String name) throws Exception {
        Path dir = Files.createTempDirectory("inject");
        Run run = run(dir, startCommand("b"), Map.of("METAFLOW_PARAMETERS", FlowgateJson.write(Map.of("x" + name, 1))));

        assertThat(pwned(dir)).isEmpty();
        if (!("x" + name).matches("[A-Za-z_][A-Za-z0-9_-]*")) {
            assertThat(run.exit).isNotZero();
            assertThat(run.records.stream().map(ContainerCommandInjectionTest::argv)).noneMatch(a -> a.contains("init"));
        }
    }

    @Property(tries = 200)
    void hostileCodePackageUrl_isRefusedAtCompile(@ForAll("hostile") String tail) {
        String url = "s3://team-datastore/metaflow/InjectFlow/data/ab/" + tail;
        if (tail.matches("[A-Za-z0-9_.-]+") && !tail.equals(".") && !tail.equals("..")) {
            return; // a plain key: accepted, and nothing in it means anything to bash
        }
        assertThatThrownBy(() -> options(url, "b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("code package URL");
    }

    @Example
    void locationFromTheIssue_outsideTheDatastoreOrTheVerifiedPrefix_isRefused() {
        assertThatThrownBy(() -> options("s3://team-datastore/metaflow/F/data/ab/abc';touch$IFS/tmp/x;'", "b"))
                .hasMessageContaining("letters, digits and _.-/ only");
        assertThatThrownBy(() -> options("s3://other-bucket/metaflow/F/data/ab/abc", "b")).hasMessageContaining("datastore bucket");
        assertThatThrownBy(() -> options("s3://team-datastore/elsewhere/F/data/ab/abc", "b")).hasMessageContaining("neither under");
        assertThatThrownBy(() -> options("s3://team-datastore/metaflow/../x/abc", "b")).hasMessageContaining("'..'");
        assertThat(options("s3://team-datastore/flowgate/verified/" + EMPTY_SHA256 + "/F/data/ab/abc", "b").codePackageUrl())
                .startsWith("s3://team-datastore/flowgate/verified/");
        assertThatThrownBy(() -> options(null, "b").toBuilder().codePackageSha256("abc;ls").build())
                .hasMessageContaining("64 lowercase");
    }

    @Example
    void aPackageWithAnotherDigest_isNotExtracted() throws Exception {
        String command = FlowCompiler.compile(FlowCompiler.parse("inject_flow.py", FLOW), options(null, "b")
                .toBuilder().codePackageSha256("1".repeat(64)).build()).definitionJson();
        String start = FlowgateJson.parse(command).at("/States/start/Parameters/ContainerOverrides/Command/2").asText();
        Path dir = Files.createTempDirectory("inject");
        Run run = run(dir, start, Map.of());
        assertThat(run.exit).isNotZero();
        assertThat(run.output).contains("does not have the SHA-256 the deployment verified");
        assertThat(run.records).isEmpty();
    }

    @Example
    void quote_isShlexQuote_andRefusesNul() {
        assertThat(ShellQuote.quote("s3://b/k-1_2.tar")).isEqualTo("s3://b/k-1_2.tar");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(ShellQuote.quote("é")).isEqualTo("'é'");
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).hasMessageContaining("NUL");
    }

    private static CompileOptions options(String url, String branch) {
        return CompileOptions.builder().settings(DeploymentSettings.fromConfig(SETTINGS))
                .codePackageUrl(url).branch(branch).productionToken("tok").owner("owner").build();
    }

    private static String startCommand(String branch) {
        String json = FlowCompiler.compile(FlowCompiler.parse("inject_flow.py", FLOW),
                options(null, branch).toBuilder().codePackageSha256(EMPTY_SHA256).build()).definitionJson();
        return FlowgateJson.parse(json).at("/States/start/Parameters/ContainerOverrides/Command/2").asText();
    }

    private record Run(int exit, String output, List<JsonNode> records) {
    }

    private static Run run(Path dir, String command, Map<String, String> env) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path python = bin.resolve("python");
        // an absolute interpreter: a pyenv shim would put the real python before this directory on PATH
        Files.writeString(python, "#!" + realPython() + "\n" + RECORDER);
        Files.writeString(bin.resolve("tar"), "#!/bin/sh\nexit 0\n");
        for (Path p : List.of(python, bin.resolve("tar"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path work = Files.createDirectories(dir.resolve("work"));
        Path record = dir.resolve("record.jsonl");
        Files.writeString(record, "");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> e = builder.environment();
        e.put("PATH", bin + ":" + System.getenv("PATH"));
        e.put("FLOWGATE_RECORD", record.toString());
        e.put("METAFLOW_RUN_ID", "r1");
        e.put("AWS_BATCH_JOB_ID", "job-1");
        e.put("AWS_BATCH_JOB_ATTEMPT", "1");
        e.put("METAFLOW_SKIP_INSTALL_DEPENDENCIES", "1");
        e.put("METAFLOW_DEFAULT_PARAMETERS", "{\"alpha\": \"a\"}");
        e.putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
            records.add(FlowgateJson.parse(line));
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), records);
    }

    private static String realPython;

    private static synchronized String realPython() throws IOException, InterruptedException {
        if (realPython == null) {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
            realPython = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
        }
        return realPython;
    }

    private static List<String> argv(JsonNode record) {
        List<String> argv = new ArrayList<>();
        record.get("argv").forEach(a -> argv.add(a.asText()));
        return argv;
    }

    private static List<Path> pwned(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().startsWith("pwned")).toList();
        }
    }
}

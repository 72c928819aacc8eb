package dev.flowgate.deployer.domain.graph;

import dev.flowgate.deployer.domain.ProjectBranch;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.adapter.MetaflowFlowCompiler;
import dev.flowgate.deployer.domain.CodePackageReader;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.TaggedRun;
import dev.flowgate.deployer.port.FlowCompiler.CompileRequest;
import dev.flowgate.deployer.port.FlowCompiler.CompiledFlow;
import dev.flowgate.deployer.port.RunArtifacts;
import dev.flowgate.model.json.FlowgateJson;
import net.razorvine.pickle.Pickler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The graph stage with the real compiler and records as Metaflow stores them (gzip of a pickle, content-addressed). */
class GraphCheckTest {
    static final Map<String, String> SETTINGS = Map.of(
            "METAFLOW_DATASTORE_SYSROOT_S3", "s3://flowgate-datastore/metaflow",
            "METAFLOW_BATCH_JOB_QUEUE", "arn:aws:batch:us-east-1:123456789012:job-queue/q",
            "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::123456789012:role/batch",
            "METAFLOW_SERVICE_URL", "https://metadata.example.com");
    final MetaflowFlowCompiler compiler = new MetaflowFlowCompiler();
    final List<String> reads = new ArrayList<>();

    /** The e2e suite's mutator flow the recorded _graph_info was made from (one copy in the repository). */
    static final java.nio.file.Path MUTATED_FLOW = java.nio.file.Path.of("../../e2e/flows/mutated_flow.py");

    static String resource(String name) throws IOException {
        try (InputStream in = GraphCheckTest.class.getResourceAsStream("/graphinfo/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static CompileRequest request(String source, String file, String flow) {
        return CompileRequest.builder().flowSource(source).fileName(file).flowName(flow).settings(SETTINGS)
                .codePackageUrl("s3://flowgate-datastore/metaflow/" + flow + "/data/ab/" + "ab".repeat(20))
                .codePackageSha("ab".repeat(20)).codePackageLayout(1)
                .projectBranch(ProjectBranch.production()).productionToken("token-1").owner("flowgate").build();
    }

    static TaggedRun run(String flow) {
        return new TaggedRun(flow, "7", 1, List.of("prod_ready"), true, Optional.empty());
    }

    RunArtifacts serving(String sha, byte[] stored) {
        return (run, step, name) -> {
            reads.add(run.pathspec() + "/" + step + ":" + name);
            return new RunArtifacts.StoredArtifact(sha, "s3://flowgate-datastore/metaflow/" + run.flow() + "/data/x/" + sha, stored);
        };
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void mutatedFlow_deploysWithTheRunsRetriesAndGpus_readingTheRecordOnce() throws IOException {
        byte[] stored;
        try (InputStream in = getClass().getResourceAsStream("/graphinfo/mutated_flow_graph_info.gz")) {
            stored = in.readAllBytes();
        }
        CompileRequest request = request(java.nio.file.Files.readString(MUTATED_FLOW), "mutated_flow.py", "MutatedFlow");
        CompiledFlow plain = compiler.compile(request);

        GraphCheck.Checked checked = new GraphCheck(serving("d9ecf7ac8fcfd6b8469a5bc89f05eec1250bc19d", stored), compiler)
                .check(run("MutatedFlow"), request, plain);

        assertThat(reads).containsExactly("MutatedFlow/7/start:_graph_info");
        assertThat(checked.honoured()).hasSize(4);
        assertThat(checked.summary()).contains("taken over from mutators").contains("@resources(cpu=\"1\", gpu=2, memory=24576)");
        JsonNode states = FlowgateJson.parse(checked.flow().definitionJson()).get("States");
        assertThat(states.get("train").at("/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(5);
        assertThat(states.get("train").at("/Parameters/ContainerOverrides/ResourceRequirements").toString())
                .contains("\"GPU\"").contains("24576");
        JsonNode before = FlowgateJson.parse(plain.definitionJson()).get("States");
        assertThat(before.get("train").at("/Parameters/RetryStrategy/Attempts").asInt()).isEqualTo(1);
    }

    static final String ENV_FLOW = """
            import os
            from metaflow import FlowSpec, resources, step

            MEMORY = 8192
            if "TRAIN_MEMORY" in os.environ:
                MEMORY = int(os.environ["TRAIN_MEMORY"])

            class EnvFlow(FlowSpec):
                @step
                def start(self):
                    self.next(self.train)

                @resources(memory=MEMORY)
                @step
                def train(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;

    /** EnvFlow's record as Metaflow writes it, pickled by Pyrolite (plain dicts, lists, strings and ints only). */
    static byte[] envRecordPickle(long trainMemory) throws IOException {
        Map<String, Object> resources = new HashMap<>();
        resources.put("name", "resources");
        resources.put("attributes", new HashMap<>(Map.of("cpu", "1", "gpu", "None", "disk", "None", "memory", trainMemory,
                "shared_memory", "None")));
        resources.put("statically_defined", true);
        resources.put("inserted_by", null);
        Map<String, Object> steps = new HashMap<>();
        steps.put("start", step("start", List.of("train"), List.of()));
        steps.put("train", step("linear", List.of("end"), List.of(resources)));
        steps.put("end", step("end", List.of(), List.of()));
        Map<String, Object> root = new HashMap<>(Map.of("start_step", "start", "end_step", "end", "parameters", List.of(),
                "steps", steps, "decorators", List.of(), "constants", List.of()));
        return new Pickler().dumps(root);
    }

    static Map<String, Object> step(String type, List<String> next, List<Object> decorators) {
        return new HashMap<>(Map.of("type", type, "next", next, "decorators", decorators, "node_info", Map.of()));
    }

    @Test
    void valueFromTheEnvironmentAtImport_refusesNamingStepDecoratorAttributeAndBothValues() throws IOException {
        byte[] pickle = envRecordPickle(16384);
        GraphCheck check = new GraphCheck(serving(CodePackageReader.sha1(pickle), gzip(pickle)), compiler);
        CompileRequest request = request(ENV_FLOW, "env_flow.py", "EnvFlow");

        assertThatThrownBy(() -> check.check(run("EnvFlow"), request, compiler.compile(request)))
                .isInstanceOfSatisfying(DeployError.GraphMismatch.class, e -> {
                    assertThat(e.outcome().wireName()).isEqualTo("graph_mismatch");
                    assertThat(e.differences()).singleElement().asString()
                            .startsWith("step 'train': @resources(memory): the run had 16384, the compiled flow has 8192");
                    assertThat(e.getMessage()).contains("EnvFlow/7");
                });
    }

    @Test
    void theSameValue_passesAndDeploysWhatWasCompiled() throws IOException {
        byte[] pickle = envRecordPickle(8192);
        CompileRequest request = request(ENV_FLOW, "env_flow.py", "EnvFlow");
        CompiledFlow compiled = compiler.compile(request);

        GraphCheck.Checked checked = new GraphCheck(serving(CodePackageReader.sha1(pickle), gzip(pickle)), compiler)
                .check(run("EnvFlow"), request, compiled);

        assertThat(checked.flow()).isSameAs(compiled);
        assertThat(checked.summary()).startsWith("graph equal to the run's (3 steps");
    }

    @Test
    void aRecordWhoseBytesAreNotItsContentAddress_isRefused() throws IOException {
        byte[] pickle = envRecordPickle(8192);
        GraphCheck check = new GraphCheck(serving("0".repeat(40), gzip(pickle)), compiler);
        CompileRequest request = request(ENV_FLOW, "env_flow.py", "EnvFlow");

        assertThatThrownBy(() -> check.check(run("EnvFlow"), request, compiler.compile(request)))
                .isInstanceOf(DeployError.GraphMismatch.class).hasMessageContaining("the run recorded " + "0".repeat(40));
    }

    @Test
    void aRecordThatNamesAClass_isRefusedBeforeDecoding() throws IOException {
        byte[] pickle = HexFormat.of().parseHex("8002635f5f6275696c74696e5f5f0a7072696e740a71005802000000696471018571025271032e");
        GraphCheck check = new GraphCheck(serving(CodePackageReader.sha1(pickle), gzip(pickle)), compiler);
        CompileRequest request = request(ENV_FLOW, "env_flow.py", "EnvFlow");

        assertThatThrownBy(() -> check.check(run("EnvFlow"), request, compiler.compile(request)))
                .isInstanceOf(DeployError.GraphMismatch.class).hasMessageContaining("opcode GLOBAL at byte 2");
    }
}

package dev.flowgate.compiler;

import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Step Functions (moto, over the real SDK) accepts every compiled definition of the corpus and the examples. */
@ExtendWith(AwsEmulatorExtension.class)
class StateMachinesOnEmulatorIT {

    static Stream<Path> flows() throws IOException {
        Stream<Path> corpus = CorpusGoldenTest.flows();
        try (Stream<Path> walk = Files.walk(Path.of("../../examples"))) {
            return Stream.concat(corpus, walk.filter(p -> p.toString().endsWith("_flow.py")).sorted().toList().stream());
        }
    }

    @ParameterizedTest
    @MethodSource("flows")
    void createStateMachine_acceptsTheCompiledDefinition(Path flow, AwsEmulator emulator) throws IOException {
        CompiledFlow compiled = FlowCompiler.compile(CorpusGoldenTest.parse(flow), CorpusGoldenTest.options(flow));
        String name = AwsEmulator.uniqueName("sm") + "-" + compiled.stateMachineName().replace('.', '-');
        try (SfnClient sfn = emulator.settings().configure(SfnClient.builder())) {
            String arn = sfn.createStateMachine(r -> r.name(name.length() > 80 ? name.substring(0, 80) : name)
                    .definition(compiled.definitionJson())
                    .roleArn("arn:aws:iam::123456789012:role/sfn")).stateMachineArn();
            String stored = sfn.describeStateMachine(r -> r.stateMachineArn(arn)).definition();
            assertThat(FlowgateJson.parse(stored)).isEqualTo(FlowgateJson.parse(compiled.definitionJson()));
        }
    }
}

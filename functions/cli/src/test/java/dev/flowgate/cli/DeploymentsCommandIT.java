package dev.flowgate.cli;

import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.adapter.DynamoDbDeploymentStore;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.handler.DeployerWiring;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.emulator.ResourceProvisioner;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The deployments commands against the deployer's real DynamoDB store on moto. */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentsCommandIT {
    private Environment env;
    private final DeploymentsCommand command = new DeploymentsCommand(DeployerWiring::history);

    @BeforeAll
    void seed(AwsEmulator emulator) {
        FlowgateResources names = new FlowgateResources(AwsEmulator.uniqueName("cli"));
        env = emulator.environment(names.prefix());
        try (ResourceProvisioner provisioner = new ResourceProvisioner(emulator.settings(), names)) {
            provisioner.provisionAll(env);
        }
        DynamoDbClient dynamo = AwsSettings.from(env).configure(DynamoDbClient.builder());
        DynamoDbDeploymentStore store = new DynamoDbDeploymentStore(dynamo, names.tableName(FlowgateResources.CONTROL));
        store.record(DeploymentRecord.builder().deploymentId("d-20261129T000000000Z-aaaaaa").flow("TrainFlow")
                .kind("deploy")
                .repository("acme/flows").commitSha("0123456789abcdef0123456789abcdef01234567").branch("main")
                .outcome(Outcome.MISMATCH).message("flows/train.py differs")
                .runPathspec("TrainFlow/12")
                .at(Instant.parse("2026-11-29T00:00:00Z"))
                .differing(List.of("flows/train.py"))
                .build());
        store.record(DeploymentRecord.builder().deploymentId("d-20261129T000001000Z-bbbbbb").flow("TrainFlow")
                .repository("acme/flows").commitSha("1123456789abcdef0123456789abcdef01234567").branch("feature/x")
                .outcome(Outcome.DEPLOYED).message("deployed").stateMachine("churn.test.feature_x.TrainFlow")
                .definition("{}").production(false).at(Instant.parse("2026-11-29T00:00:01Z")).build());
    }

    @Test
    void deployments_listsRecordedDeploymentsNewestFirst() {
        Captured result = run("deployments", List.of("TrainFlow"));
        assertThat(result.code).isZero();
        assertThat(result.out).contains("d-20261129T000000000Z-aaaaaa", "mismatch", "0123456789ab", "TrainFlow/12",
                "flows/train.py differs", "BRANCH", "STATE MACHINE", "feature/x (exp)", "churn.test.feature_x.TrainFlow");
        assertThat(result.out.indexOf("d-20261129T000001000Z-bbbbbb")).isLessThan(result.out.indexOf("d-20261129T000000000Z-aaaaaa"));
    }

    @Test
    void rollback_withNothingDeployed_refusesClearly() {
        Captured result = run("rollback", List.of("TrainFlow"));
        assertThat(result.code).isEqualTo(2);
        assertThat(result.err).startsWith("error: ").contains("no successful production deployment")
                .contains("give --branch");
    }

    @Test
    void badFlowNameOrLimit_isExit2WithMessage() {
        assertThat(run("deployments", List.of("train-flow")).err).contains("not a flow name");
        Captured badLimit = run("deployments", List.of("TrainFlow", "--limit", "many"));
        assertThat(badLimit.code).isEqualTo(2);
        assertThat(badLimit.err).contains("--limit must be a whole number");
    }

    private Captured run(String name, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = command.run(name, args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Captured(int code, String out, String err) {
    }
}

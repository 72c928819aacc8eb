package dev.flowgate.alerter.adapter;

import dev.flowgate.alerter.MotoStepFunctions;
import dev.flowgate.alerter.domain.ExecutionTrace;
import dev.flowgate.alerter.domain.FailureAnalyzer;
import dev.flowgate.alerter.domain.FailurePoint;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SfnExecutionHistoryIT {
    static final String BATCH_CAUSE = "{\"JobId\":\"5e0c2b7a-1111-4c2d-9e3f-abcdefabcdef\",\"Status\":\"FAILED\","
            + "\"StatusReason\":\"Essential container in task exited\",\"Container\":{\"ExitCode\":1,"
            + "\"LogStreamName\":\"metaflow/default/feedbeef\"}}";
    private SfnClient sfn;
    private SfnExecutionHistory history;

    @BeforeAll
    void setUp(AwsEmulator emulator) throws Exception {
        MotoStepFunctions.enableExecution(emulator);
        sfn = emulator.settings().configure(SfnClient.builder());
        history = new SfnExecutionHistory(sfn, 5);
    }

    @AfterAll
    void tearDown() {
        sfn.close();
    }

    @Test
    void trace_whenExecutionFailedInEmulator_findsFailedStepErrorAndBatchDetails() throws Exception {
        String name = AwsEmulator.uniqueName("TrainFlow").replace('-', '_');
        String machine = MotoStepFunctions.failingMachine(sfn, name, "train", "BatchJobFailed", BATCH_CAUSE,
                Map.of("flowgate:deployment", "dep-1", "flowgate:branch", "prod"));
        String execution = MotoStepFunctions.runToEnd(sfn, machine, "run-1");

        ExecutionTrace trace = history.trace(execution);
        assertThat(trace.newestFirst()).extracting(e -> e.type())
                .startsWith("ExecutionFailed", "FailStateEntered").endsWith("ExecutionStarted");
        assertThat(trace.newestFirst()).isSortedAccordingTo((a, b) -> Long.compare(b.id(), a.id()));
        assertThat(trace.startDate()).isPresent();
        assertThat(trace.stopDate()).isPresent();
        FailurePoint f = FailureAnalyzer.analyze(trace.newestFirst(), trace.error(), trace.cause());
        assertThat(f.step()).contains("train");
        assertThat(f.error()).contains("BatchJobFailed");
        assertThat(f.batchJobId()).contains("5e0c2b7a-1111-4c2d-9e3f-abcdefabcdef");
        assertThat(f.logStream()).contains("metaflow/default/feedbeef");
        assertThat(f.causeExcerpt()).isEqualTo("Essential container in task exited (exit code 1)");
    }

    @Test
    void tags_readsTheStateMachineTags() {
        String name = AwsEmulator.uniqueName("TagFlow").replace('-', '_');
        String machine = MotoStepFunctions.failingMachine(sfn, name, "end", "X", "y",
                Map.of("flowgate:project", "churn", "flowgate:git_sha", "abc"));
        assertThat(history.tags(machine)).containsEntry("flowgate:project", "churn").containsEntry("flowgate:git_sha", "abc");
    }

    @Test
    void trace_whenExecutionUnknown_isEmpty() {
        ExecutionTrace trace = history.trace("arn:aws:states:us-east-1:123456789012:execution:Nope:gone");
        assertThat(trace.newestFirst()).isEmpty();
        assertThat(trace.error()).isEmpty();
    }
}

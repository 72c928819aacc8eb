package dev.flowgate.alerter.domain;

import dev.flowgate.alerter.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class EnrichmentTest {
    private static ExecutionTrace trace(String history) {
        return new ExecutionTrace(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Fixtures.history(history));
    }

    @Test
    void enrich_whenBatchStepFails_findsStepJobLogStreamAndProjectTags() {
        ExecutionAlert a = Enrichment.enrich(Fixtures.event("events/sfn-execution-failed.json"), Fixtures.PROD_TAGS,
                trace("history/batch-failure.json"));
        assertThat(a.failure().step()).contains("train");
        assertThat(a.failure().error()).contains("States.TaskFailed");
        assertThat(a.failure().batchJobId()).contains("4d3f1e0a-9b7c-4f55-8a21-0c6d2e9b1f42");
        assertThat(a.failure().batchStatusReason()).contains("Essential container in task exited");
        assertThat(a.failure().logStream()).contains("metaflow/default/0a1b2c3d4e5f");
        assertThat(a.failure().causeExcerpt()).isEqualTo("Essential container in task exited (exit code 1)");
        assertThat(a.runId()).isEqualTo("sfn-2f1a9c7e-5b7d-4c44-9d52-1b8e7f3a0c11");
        assertThat(a.flow()).isEqualTo("TrainFlow");
        assertThat(a.project()).contains("churn");
        assertThat(a.production()).isTrue();
        assertThat(a.branchLabel()).isEqualTo("production");
        assertThat(a.gitSha()).contains("9b1e4c2d7a6f5e3b8c0d1a2f4e6b8c0d2e4f6a8b");
        assertThat(a.duration()).contains(Duration.ofSeconds(761));
    }

    @Test
    void enrich_whenTagsMissing_takesFlowFromMachineNameAndHasNoProject() {
        ExecutionAlert a = Enrichment.enrich(Fixtures.event("events/sfn-execution-failed.json"), Map.of(),
                trace("history/batch-failure.json"));
        assertThat(a.flow()).isEqualTo("TrainFlow");
        assertThat(a.project()).isEmpty();
        assertThat(a.gitSha()).isEmpty();
        assertThat(a.branchLabel()).isEmpty();
        assertThat(a.production()).isFalse();
    }

    @Test
    void enrich_whenLambdaTaskFails_usesTheTaskErrorMessage() {
        ExecutionAlert a = Enrichment.enrich(Fixtures.event("events/sfn-execution-failed.json"), Fixtures.PROD_TAGS,
                trace("history/lambda-error.json"));
        assertThat(a.failure().step()).contains("notify");
        assertThat(a.failure().error()).contains("KeyError");
        assertThat(a.failure().causeExcerpt()).startsWith("KeyError: 'alpha'\n  File");
        assertThat(a.failure().batchJobId()).isEmpty();
    }

    @Test
    void enrich_whenTimedOut_namesTheStateThatWasRunning() {
        ExecutionAlert a = Enrichment.enrich(Fixtures.event("events/sfn-execution-timed-out.json"), Fixtures.PROD_TAGS,
                trace("history/timeout.json"));
        assertThat(a.status()).isEqualTo(AlertStatus.TIMED_OUT);
        assertThat(a.failure().step()).contains("sweep");
        assertThat(a.failure().error()).contains("States.Timeout");
        assertThat(a.duration()).contains(Duration.ofHours(4).plusSeconds(5));
    }

    @Test
    void enrich_whenAborted_hasStepButNoError() {
        var event = Fixtures.event("events/sfn-execution-timed-out.json");
        var aborted = new AlerterInput.ExecutionStatusChange(event.region(), event.executionArn(), event.stateMachineArn(),
                event.executionName(), AlertStatus.ABORTED, event.startDate(), event.stopDate(), Optional.empty(), Optional.empty());
        ExecutionAlert a = Enrichment.enrich(aborted, Map.of("flowgate:branch", "user.alice"), trace("history/abort.json"));
        assertThat(a.failure().step()).contains("evaluate");
        assertThat(a.failure().error()).isEmpty();
        assertThat(a.branchLabel()).isEqualTo("user.alice");
    }

    @Test
    void enrich_whenHistoryIsEmpty_fallsBackToTheEventErrorAndCause() {
        ExecutionAlert a = Enrichment.enrich(Fixtures.event("events/sfn-execution-failed.json"), Fixtures.PROD_TAGS,
                new ExecutionTrace(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of()));
        assertThat(a.failure().step()).isEmpty();
        assertThat(a.failure().error()).contains("States.TaskFailed");
        assertThat(a.failure().batchJobId()).contains("4d3f1e0a-9b7c-4f55-8a21-0c6d2e9b1f42");
    }

    @Test
    void flow_whenProjectMachineWithPrefix_isTheLastDottedPart() {
        assertThat(Enrichment.flow("team_churn.user.alice.TrainFlow", Map.of())).isEqualTo("TrainFlow");
        assertThat(Enrichment.stateMachineName("arn:aws:states:us-east-1:1:stateMachine:HelloFlow")).isEqualTo("HelloFlow");
    }
}

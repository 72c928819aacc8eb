package dev.flowgate.model.limits;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepFunctionsLimitsTest {
    @Test
    void workflowTimeoutSeconds_acceptsOneSecondToOneYear() {
        assertThat(StepFunctionsLimits.workflowTimeoutSeconds("1")).isEqualTo(1);
        assertThat(StepFunctionsLimits.workflowTimeoutSeconds(" 86400 ")).isEqualTo(86_400);
        assertThat(StepFunctionsLimits.workflowTimeoutSeconds("31536000")).isEqualTo(365 * 86_400);
    }

    @Test
    void workflowTimeoutSeconds_refusesOthers_namingTheRangeOrTheExpectedForm() {
        for (String outside : new String[]{"0", "-1", "31536001", "999999999999"}) {
            assertThatThrownBy(() -> StepFunctionsLimits.workflowTimeoutSeconds(outside)).as(outside)
                    .hasMessage("the workflow timeout must be between 1 and 31536000 seconds (one year, the longest a Step"
                            + " Functions execution runs), got " + outside);
        }
        for (String malformed : new String[]{"", "1h", "2.5", "1e3", "9999999999999", "0x10"}) {
            assertThatThrownBy(() -> StepFunctionsLimits.workflowTimeoutSeconds(malformed)).as(malformed)
                    .hasMessageStartingWith("the workflow timeout must be a whole number of seconds, e.g. 86400");
        }
        assertThatThrownBy(() -> StepFunctionsLimits.workflowTimeoutSeconds(null)).hasMessageContaining("got ''");
    }

    @Test
    void maxWorkers_acceptsOneToTheDistributedMapLimit() {
        assertThat(StepFunctionsLimits.maxWorkers("1")).isEqualTo(1);
        assertThat(StepFunctionsLimits.maxWorkers("10000")).isEqualTo(10_000);
        assertThatThrownBy(() -> StepFunctionsLimits.maxWorkers("10001")).hasMessageContaining("between 1 and 10000");
        assertThatThrownBy(() -> StepFunctionsLimits.maxWorkers("0")).hasMessageContaining("between 1 and 10000");
        assertThatThrownBy(() -> StepFunctionsLimits.maxWorkers("many")).hasMessageContaining("whole number, e.g. 500");
    }
}

package dev.flowgate.model.naming;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetaflowNamesTest {

    @Test
    void flowNames_followPythonClassNames() {
        assertThat(MetaflowNames.isFlowName("HelloFlow")).isTrue();
        assertThat(MetaflowNames.isFlowName("_Private2")).isTrue();
        assertThat(MetaflowNames.isFlowName("2Fast")).isFalse();
        assertThat(MetaflowNames.isFlowName("class")).isFalse();
        assertThat(MetaflowNames.isFlowName("My-Flow")).isFalse();
    }

    @Test
    void projectNames_followMetaflowProjectDecorator() {
        assertThat(MetaflowNames.isProjectName("churn_model")).isTrue();
        assertThat(MetaflowNames.isProjectName("Churn")).isFalse();
        assertThat(MetaflowNames.isProjectName("a".repeat(129))).isFalse();
        assertThatThrownBy(() -> MetaflowNames.requireProjectName("branch", "feature/x"))
                .hasMessageContaining("branch 'feature/x'");
    }

    @Test
    void requireObjectId_whenSlash_rejectsWithField() {
        assertThatThrownBy(() -> MetaflowNames.requireObjectId("run_number", "a/b"))
                .isInstanceOfSatisfying(InvalidNameException.class, e -> assertThat(e.field()).isEqualTo("run_number"));
    }

    @Test
    void objectId_whenHugeNumber_isRejectedNotOverflowed() {
        assertThatThrownBy(() -> ObjectId.parse("run_number", "99999999999999999999999"))
                .hasMessageContaining("too large");
    }
}

package dev.flowgate.model.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowgateJsonTest {

    @Test
    void parse_whenNestingExceedsJacksonsLimit_isMalformedInput() {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        assertThatThrownBy(() -> FlowgateJson.parse(deep))
                .isInstanceOf(FlowgateJson.MalformedJsonException.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void parse_whenANumberIsTooLong_isMalformedInput() {
        String number = "{\"n\":" + "9".repeat(2_000) + "}";
        assertThatThrownBy(() -> FlowgateJson.parse(number))
                .isInstanceOf(FlowgateJson.MalformedJsonException.class)
                .hasMessageContaining("Number");
    }

    @Test
    void parse_whenTrailingContentFollowsTheValue_isMalformedInput() {
        assertThatThrownBy(() -> FlowgateJson.parse("{\"a\":1} garbage"))
                .isInstanceOf(FlowgateJson.MalformedJsonException.class);
        assertThatThrownBy(() -> FlowgateJson.parse("{\"a\":1}{}"))
                .isInstanceOf(FlowgateJson.MalformedJsonException.class);
    }

    @Test
    void parse_whenValid_returnsTheTreeAndToleratesTrailingWhitespace() {
        assertThat(FlowgateJson.parse("{\"a\":[1,2]}\n ").path("a").size()).isEqualTo(2);
    }
}

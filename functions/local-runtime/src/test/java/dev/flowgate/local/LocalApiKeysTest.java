package dev.flowgate.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalApiKeysTest {
    @Test
    void parse_namesEveryKey_keepsTheSingleKeyAsDefault_andNothingConfiguredRequiresNothing() {
        LocalApiKeys keys = LocalApiKeys.parse("ann:a1, sfn-jobs:j:2", "legacy");
        assertThat(keys.required()).isTrue();
        assertThat(keys.nameOf("a1")).contains("ann");
        assertThat(keys.nameOf("j:2")).as("a key may contain ':'").contains("sfn-jobs");
        assertThat(keys.nameOf("legacy")).contains(LocalApiKeys.DEFAULT_NAME);
        assertThat(keys.nameOf("nope")).isEmpty();
        assertThat(keys.nameOf(null)).isEmpty();
        assertThat(LocalApiKeys.parse(null, null).required()).isFalse();
        assertThat(LocalApiKeys.parse("", "").required()).isFalse();
    }

    @Test
    void parse_refusesMalformedEntriesWithoutShowingTheKey() {
        assertThatThrownBy(() -> LocalApiKeys.parse("ann:a1,justakey", null))
                .hasMessageContaining("entry #2 must be name:key").hasMessageNotContaining("justakey");
        assertThatThrownBy(() -> LocalApiKeys.parse("a n:k", null)).hasMessageContaining("key name 'a n'");
        assertThatThrownBy(() -> LocalApiKeys.parse("ann:k,bob:k", null)).hasMessageContaining("listed twice");
    }
}

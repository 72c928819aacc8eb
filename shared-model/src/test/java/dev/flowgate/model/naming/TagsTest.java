package dev.flowgate.model.naming;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TagsTest {

    @Test
    void requireValidTag_whenEmpty_rejectsNamingField() {
        assertThatThrownBy(() -> Tags.requireValidTag("tags_to_add", ""))
                .isInstanceOfSatisfying(InvalidNameException.class, e -> {
                    assertThat(e.field()).isEqualTo("tags_to_add");
                    assertThat(e.getMessage()).contains("empty");
                });
    }

    @Test
    void requireValidTag_countsCodePointsLikePython() {
        String fiveHundredEmoji = "\uD83D\uDE00".repeat(500); // 1000 UTF-16 units, 500 code points
        assertThat(Tags.requireValidTag("tags", fiveHundredEmoji)).isEqualTo(fiveHundredEmoji);
        assertThatThrownBy(() -> Tags.requireValidTag("tags", fiveHundredEmoji + "x"))
                .hasMessageContaining("501");
    }

    @Test
    void requireValidTag_whenLoneSurrogate_rejects() {
        assertThatThrownBy(() -> Tags.requireValidTag("tags", "bad\uD83D"))
                .hasMessageContaining("UTF-8");
    }

    @Property
    void anyNonEmptyTagUpTo500CodePoints_isValid(@ForAll @StringLength(min = 1, max = 500) String tag) {
        if (tag.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
            return; // lone surrogates are covered separately
        }
        assertThat(Tags.requireValidTag("tags", tag)).isEqualTo(tag);
    }

    @Property
    void userTagSet_over50_isRejectedUnlessItShrinks(@ForAll @IntRange(min = 51, max = 80) int size) {
        List<String> tags = IntStream.range(0, size).mapToObj(i -> "t" + i).collect(Collectors.toList());
        assertThatThrownBy(() -> Tags.requireValidUserTagSet("tags", tags, List.of()))
                .hasMessageContaining("at most 50");
        List<String> bigger = IntStream.range(0, size + 1).mapToObj(i -> "t" + i).collect(Collectors.toList());
        assertThat(Tags.requireValidUserTagSet("tags", tags, bigger)).hasSize(size);
    }

    @Test
    void looksLikeSystemTag_recognisesMetaflowPrefixes() {
        assertThat(Tags.looksLikeSystemTag("user:alice")).isTrue();
        assertThat(Tags.looksLikeSystemTag("metaflow_version:2.19.39")).isTrue();
        assertThat(Tags.looksLikeSystemTag(Tags.PROD_READY)).isFalse();
    }
}

package dev.flowgate.alerter.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CauseTextTest {

    @Test
    void shorten_whenBatchJobJson_showsStatusReasonAndExitCode() {
        String cause = "{\"JobId\":\"j-1\",\"StatusReason\":\"Essential container in task exited\",\"Container\":{\"ExitCode\":137,\"Reason\":\"OutOfMemoryError: Container killed due to memory usage\"}}";
        assertThat(CauseText.shorten(cause)).isEqualTo(
                "Essential container in task exited (exit code 137)\nOutOfMemoryError: Container killed due to memory usage");
    }

    @Test
    void shorten_whenLambdaErrorJson_showsMessageAndStack() {
        String cause = "{\"errorMessage\":\"boom\",\"errorType\":\"ValueError\",\"stackTrace\":[\"line 1\",\"line 2\"]}";
        assertThat(CauseText.shorten(cause)).isEqualTo("boom\nline 1\nline 2");
    }

    @Test
    void shorten_whenNotJson_keepsTextAndCutsToSixLines() {
        String cause = "Traceback (most recent call last):\n  a\n  b\n  c\n  d\n  e\n  f\nValueError: x";
        String shortened = CauseText.shorten(cause);
        assertThat(shortened.lines()).hasSize(7); // six lines + the "more characters" marker
        assertThat(shortened).startsWith("Traceback").endsWith("more characters)");
    }

    @Test
    void shorten_whenBrokenJson_treatsItAsText() {
        assertThat(CauseText.shorten("{\"JobId\": \"unterminated")).isEqualTo("{\"JobId\": \"unterminated");
    }

    @Test
    void shorten_whenHuge_isBoundedAndSaysHowMuchWasCut() {
        String huge = "x".repeat(500_000);
        String shortened = CauseText.shorten(huge);
        assertThat(shortened.length()).isLessThan(CauseText.MAX_CHARS + 40);
        assertThat(shortened).contains("more characters)");
    }

    @Test
    void shorten_removesControlCharactersAndCodeFences() {
        assertThat(CauseText.shorten("a\u0000b\u001b[31m```rm```\r\nc")).isEqualTo("ab[31m'''rm'''\nc");
    }

    @Test
    void shorten_whenNull_isEmpty() {
        assertThat(CauseText.shorten(null)).isEmpty();
    }
}

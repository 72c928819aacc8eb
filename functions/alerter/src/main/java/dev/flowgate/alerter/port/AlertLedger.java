package dev.flowgate.alerter.port;

import dev.flowgate.alerter.domain.BurstSummary;
import dev.flowgate.alerter.domain.BurstWindow;

import java.time.Instant;
import java.util.List;

/**
 * Remembers which alerts were sent (dedup, reserve-then-confirm) and counts alerts per burst window.
 */
public interface AlertLedger {
    enum Claim { NEW, ALREADY_SENT, IN_FLIGHT }

    /** Reserves {@code key} for a send: NEW when free (or an earlier reservation's lease ran out). */
    Claim reserve(String key, Instant now);

    /** The send succeeded: {@code key} stays sent until its retention ends. */
    void confirm(String key, Instant now);

    /** The send failed: free {@code key} so a retry can reserve it again. */
    void release(String key);

    /** Counts one alert in the window and returns the new count (1 = the window's first). */
    long countBurst(BurstWindow window, String executionName, Instant now);

    /** Takes back a count whose first alert could not be delivered. */
    void uncountBurst(BurstWindow window);

    /** Windows that ended before {@code now} and are not closed yet, with their counts. */
    List<BurstSummary> endedBursts(Instant now);

    /** The window's summary was handled: forget it. */
    void closeBurst(BurstSummary burst);
}

package dev.flowgate.alerter.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What Step Functions knows about one execution: DescribeExecution's dates, error and cause, and the
 * newest history events (newest first; only as many pages as needed).
 */
public record ExecutionTrace(Optional<Instant> startDate, Optional<Instant> stopDate, Optional<String> error,
                             Optional<String> cause, List<HistoryEvent> newestFirst) {
    public ExecutionTrace {
        newestFirst = List.copyOf(newestFirst);
    }
}

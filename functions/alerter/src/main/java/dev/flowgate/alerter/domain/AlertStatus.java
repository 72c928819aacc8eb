package dev.flowgate.alerter.domain;

import java.util.Optional;

/** The Step Functions execution statuses that raise an alert. */
public enum AlertStatus {
    FAILED, TIMED_OUT, ABORTED;

    public static Optional<AlertStatus> of(String status) {
        for (AlertStatus s : values()) {
            if (s.name().equals(status)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** TIMED_OUT and ABORTED get the compact message: nobody's code threw, so there is no cause to show. */
    public boolean compact() {
        return this != FAILED;
    }

    public String verb() {
        return switch (this) {
            case FAILED -> "failed";
            case TIMED_OUT -> "timed out";
            case ABORTED -> "was aborted";
        };
    }
}

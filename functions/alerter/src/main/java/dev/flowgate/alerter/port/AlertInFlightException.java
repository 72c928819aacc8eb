package dev.flowgate.alerter.port;

/** Another invocation holds the reservation for this alert right now; retry later (its lease may expire). */
public final class AlertInFlightException extends RuntimeException {
    public AlertInFlightException(String key) {
        super("alert " + key + " is being sent by another invocation; retry later");
    }
}

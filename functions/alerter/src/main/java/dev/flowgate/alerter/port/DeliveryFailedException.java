package dev.flowgate.alerter.port;

/**
 * A message could not be delivered after the notifier's own retries. The invocation fails, so Lambda's
 * async retries and finally the dead-letter queue keep the alert.
 */
public final class DeliveryFailedException extends RuntimeException {
    public DeliveryFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

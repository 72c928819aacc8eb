package dev.flowgate.emulator;

/** The emulator could not be started; the message is one line that says what to do. */
public final class EmulatorStartException extends RuntimeException {
    public EmulatorStartException(String message) {
        super(message);
    }

    public EmulatorStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

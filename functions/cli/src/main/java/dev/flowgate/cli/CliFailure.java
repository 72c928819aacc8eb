package dev.flowgate.cli;

/** A failure the user can act on: one line saying what went wrong and how to fix it, never a stack trace. */
final class CliFailure extends RuntimeException {
    private final int exitCode;

    CliFailure(String message) {
        this(message, 1, null);
    }

    CliFailure(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}

package dev.flowgate.cli.template;

/** The template or the values given to it are wrong; the message says which and how to fix it. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}

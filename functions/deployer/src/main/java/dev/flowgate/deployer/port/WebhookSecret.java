package dev.flowgate.deployer.port;

/** The shared secret GitHub signs deliveries with. Implementations cache it; they never log it. */
public interface WebhookSecret {
    byte[] value();
}

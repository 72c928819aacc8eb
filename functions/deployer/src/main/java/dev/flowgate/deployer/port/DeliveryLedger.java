package dev.flowgate.deployer.port;

import java.time.Instant;
import java.util.Optional;

/** Remembers which deliveries and commits were already accepted, for a while (conditional write + TTL). */
public interface DeliveryLedger {
    /**
     * Claims {@code key} for {@code deploymentId} until {@code expiresAt}. Empty when this call won the claim;
     * otherwise the deployment id the earlier claim recorded.
     */
    Optional<String> claim(String key, String deploymentId, Instant expiresAt);

    /** Gives a claim back (used when the hand-off after a successful claim failed, so a retry can win it). */
    void release(String key);
}

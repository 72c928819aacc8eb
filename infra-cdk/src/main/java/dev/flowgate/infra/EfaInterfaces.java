package dev.flowgate.infra;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How many EFA interfaces an instance type takes: one per network card (the EC2 User Guide recommends one EFA per
 * card, network card index i, device index 0 for the primary and 1 for the others). A type missing here fails
 * synthesis naming {@code batch.efaInstanceType}: attaching one interface where the hardware has 32 would silently
 * cut inter-node bandwidth to a fraction (this table's reason to exist).
 */
final class EfaInterfaces {
    /**
     * EFA-capable training instance types → maximum EFA interfaces (network cards), per the EC2 User Guide. No p3dn:
     * AWS Batch's ECS_AL2023_NVIDIA image type, which every compute environment here uses, does not support P3 or G3.
     */
    static final Map<String, Integer> BY_INSTANCE_TYPE = new TreeMap<>(Map.ofEntries(
            Map.entry("p4d.24xlarge", 4),
            Map.entry("p4de.24xlarge", 4),
            Map.entry("p5.48xlarge", 32),
            Map.entry("p5e.48xlarge", 32),
            Map.entry("p5en.48xlarge", 16),
            Map.entry("g5.48xlarge", 1),
            Map.entry("g6e.48xlarge", 4),
            Map.entry("trn1.32xlarge", 8),
            Map.entry("trn1n.32xlarge", 16)));

    private EfaInterfaces() {
    }

    static Optional<Integer> of(String instanceType) {
        return Optional.ofNullable(BY_INSTANCE_TYPE.get(instanceType));
    }
}

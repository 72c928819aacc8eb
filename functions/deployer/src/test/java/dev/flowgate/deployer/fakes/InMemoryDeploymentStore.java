package dev.flowgate.deployer.fakes;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.deployer.domain.Outcome;
import dev.flowgate.deployer.port.DeliveryLedger;
import dev.flowgate.deployer.port.DeploymentStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** In-memory ledger and deployment store with the same semantics as the DynamoDB adapter. */
public final class InMemoryDeploymentStore implements DeliveryLedger, DeploymentStore {
    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    public final List<DeploymentRecord> records = new ArrayList<>();

    private record Claim(String deploymentId, Instant expiresAt) {
    }

    @Override
    public synchronized Optional<String> claim(String key, String deploymentId, Instant expiresAt) {
        Claim existing = claims.get(key);
        if (existing != null && existing.expiresAt().isAfter(Instant.now())) {
            return Optional.of(existing.deploymentId());
        }
        claims.put(key, new Claim(deploymentId, expiresAt));
        return Optional.empty();
    }

    @Override
    public void release(String key) {
        claims.remove(key);
    }

    public boolean claimed(String key) {
        return claims.containsKey(key);
    }

    @Override
    public synchronized void record(DeploymentRecord record) {
        if (find(record.flow(), record.deploymentId()).isPresent()) {
            throw new DeployError.Unavailable("deployment record " + record.deploymentId() + " of " + record.flow()
                    + " already exists; records are never overwritten", null);
        }
        records.add(record);
    }

    @Override
    public synchronized Optional<DeploymentRecord> find(String flow, String deploymentId) {
        return records.stream().filter(r -> r.deploymentId().equals(deploymentId) && r.flow().equals(flow)).findFirst();
    }

    @Override
    public synchronized Optional<DeploymentRecord> deployed(String repository, String branch, String commitSha, String flow) {
        return records.stream().filter(r -> r.outcome() == Outcome.DEPLOYED && r.kind().equals("deploy")
                && r.repository().equalsIgnoreCase(repository) && r.branch().equals(branch)
                && r.commitSha().equals(commitSha) && r.flow().equals(flow)).findFirst();
    }

    @Override
    public synchronized List<DeploymentRecord> history(String flow, int limit) {
        return records.stream().filter(r -> r.flow().equals(flow))
                .sorted(Comparator.comparing(DeploymentRecord::deploymentId).reversed()).limit(limit).toList();
    }
}

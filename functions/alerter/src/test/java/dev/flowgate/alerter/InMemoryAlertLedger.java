package dev.flowgate.alerter;

import dev.flowgate.alerter.domain.BurstSummary;
import dev.flowgate.alerter.domain.BurstWindow;
import dev.flowgate.alerter.port.AlertLedger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The in-memory {@link AlertLedger} with the same semantics as the DynamoDB one. */
public final class InMemoryAlertLedger implements AlertLedger {
    private record Entry(boolean sent, Instant leaseUntil) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<BurstWindow, Long> counts = new LinkedHashMap<>();
    private final Map<BurstWindow, List<String>> examples = new HashMap<>();
    private final Duration lease;

    public InMemoryAlertLedger(Duration lease) {
        this.lease = lease;
    }

    @Override
    public synchronized Claim reserve(String key, Instant now) {
        Entry e = entries.get(key);
        if (e == null || (!e.sent() && e.leaseUntil().isBefore(now))) {
            entries.put(key, new Entry(false, now.plus(lease)));
            return Claim.NEW;
        }
        return e.sent() ? Claim.ALREADY_SENT : Claim.IN_FLIGHT;
    }

    @Override
    public synchronized void confirm(String key, Instant now) {
        entries.put(key, new Entry(true, now));
    }

    @Override
    public synchronized void release(String key) {
        Entry e = entries.get(key);
        if (e != null && !e.sent()) {
            entries.remove(key);
        }
    }

    @Override
    public synchronized long countBurst(BurstWindow window, String executionName, Instant now) {
        long count = counts.merge(window, 1L, Long::sum);
        List<String> list = examples.computeIfAbsent(window, w -> new ArrayList<>());
        if (list.size() < 5) {
            list.add(executionName);
        }
        return count;
    }

    @Override
    public synchronized void uncountBurst(BurstWindow window) {
        counts.merge(window, -1L, Long::sum);
    }

    @Override
    public synchronized List<BurstSummary> endedBursts(Instant now) {
        List<BurstSummary> out = new ArrayList<>();
        counts.forEach((w, c) -> {
            if (!w.end().isAfter(now)) {
                out.add(new BurstSummary(w.stateMachineArn(), w.stateMachineName(), w.flow(), w.project(), w.region(),
                        w.start(), w.end(), c, List.copyOf(examples.getOrDefault(w, List.of()))));
            }
        });
        return out;
    }

    @Override
    public synchronized void closeBurst(BurstSummary burst) {
        counts.keySet().removeIf(w -> w.stateMachineArn().equals(burst.stateMachineArn()) && w.start().equals(burst.windowStart()));
    }
}

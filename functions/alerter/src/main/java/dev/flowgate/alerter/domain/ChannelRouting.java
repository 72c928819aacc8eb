package dev.flowgate.alerter.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which Slack channel a project's alerts go to: FLOWGATE_SLACK_CHANNELS ({@code "proj-a=#a-alerts,
 * proj-b=#b"}) with FLOWGATE_SLACK_DEFAULT_CHANNEL for the rest. Empty = the webhook's own channel.
 */
public record ChannelRouting(Map<String, String> byProject, Optional<String> defaultChannel) {
    public ChannelRouting {
        byProject = Map.copyOf(byProject);
    }

    public static ChannelRouting parse(String spec, Optional<String> defaultChannel) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : (spec == null ? "" : spec).split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("FLOWGATE_SLACK_CHANNELS entry '" + entry.strip()
                        + "' must look like project=#channel");
            }
            map.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
        }
        return new ChannelRouting(map, defaultChannel);
    }

    public Optional<String> channelFor(Optional<String> project) {
        return project.map(byProject::get).or(() -> defaultChannel);
    }
}

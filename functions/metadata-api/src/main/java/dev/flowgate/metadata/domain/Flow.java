package dev.flowgate.metadata.domain;

import java.util.List;

/** A flow as the metadata service records it; {@code tags}/{@code systemTags} are null when none were sent. */
public record Flow(String flowId, String userName, long tsEpoch, List<String> tags, List<String> systemTags) {
}

package dev.flowgate.alerter;

import dev.flowgate.alerter.domain.SlackMessage;
import dev.flowgate.alerter.port.ChatNotifier;
import dev.flowgate.alerter.port.DeliveryFailedException;

import java.util.ArrayList;
import java.util.List;

/** Records posted messages; fails the next {@code failures} posts. */
public final class RecordingChat implements ChatNotifier {
    public final List<SlackMessage> posted = new ArrayList<>();
    public int failures;

    @Override
    public void post(SlackMessage message) {
        if (failures > 0) {
            failures--;
            throw new DeliveryFailedException("Slack down (fake)", null);
        }
        posted.add(message);
    }
}

package dev.flowgate.alerter.port;

import dev.flowgate.alerter.domain.SlackMessage;

/** Posts a message to the team's chat. Throws {@link DeliveryFailedException} when it could not. */
public interface ChatNotifier {
    void post(SlackMessage message);
}

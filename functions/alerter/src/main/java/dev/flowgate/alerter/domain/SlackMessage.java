package dev.flowgate.alerter.domain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/** A Slack message: Block Kit blocks, the plain-text fallback, and the channel (empty = webhook's own). */
public record SlackMessage(Optional<String> channel, String text, ArrayNode blocks) {

    /** The chat.postMessage / incoming-webhook payload. */
    public ObjectNode payload(Optional<String> fallbackChannel) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        channel.or(() -> fallbackChannel).ifPresent(c -> body.put("channel", c));
        body.put("text", text);
        body.set("blocks", blocks.deepCopy());
        return body;
    }
}

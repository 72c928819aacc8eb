package dev.flowgate.alerter.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.util.Optional;

/**
 * Where Slack messages go, read from the SLACK_WEBHOOK secret: either an incoming-webhook URL (plain
 * string, or JSON {@code {"webhook_url": …}}) or a bot token with a default channel (JSON
 * {@code {"token": "xoxb-…", "channel": "#alerts"}}, posted to chat.postMessage).
 */
public record SlackTarget(URI url, Optional<String> botToken, Optional<String> channel) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static SlackTarget parse(String secret, URI chatPostMessage) {
        String s = secret == null ? "" : secret.strip();
        if (s.startsWith("{")) {
            JsonNode json;
            try {
                json = MAPPER.readTree(s);
            } catch (Exception e) {
                throw new IllegalStateException("the Slack secret is not valid JSON (value not shown)");
            }
            Optional<String> channel = Optional.ofNullable(json.path("channel").textValue());
            if (json.hasNonNull("webhook_url")) {
                return new SlackTarget(URI.create(json.get("webhook_url").asText()), Optional.empty(), channel);
            }
            if (json.hasNonNull("token")) {
                return new SlackTarget(chatPostMessage, Optional.of(json.get("token").asText()), channel);
            }
            throw new IllegalStateException("the Slack secret JSON needs \"webhook_url\" or \"token\" (+ \"channel\")");
        }
        if (!s.startsWith("http://") && !s.startsWith("https://")) {
            throw new IllegalStateException("the Slack secret must be an https webhook URL or JSON with token/channel");
        }
        return new SlackTarget(URI.create(s), Optional.empty(), Optional.empty());
    }
}

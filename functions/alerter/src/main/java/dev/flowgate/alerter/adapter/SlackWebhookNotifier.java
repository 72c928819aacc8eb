package dev.flowgate.alerter.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.alerter.domain.SlackMessage;
import dev.flowgate.alerter.port.ChatNotifier;
import dev.flowgate.alerter.port.DeliveryFailedException;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Posts to a Slack incoming webhook (or chat.postMessage with a bot token) with java.net.http. 2xx = done
 * (chat.postMessage also needs {@code "ok": true}); 429 waits Retry-After seconds (capped); 5xx and I/O
 * errors back off exponentially; any other 4xx, or the last attempt failing, throws
 * {@link DeliveryFailedException} so the invocation fails and is retried by AWS.
 */
public final class SlackWebhookNotifier implements ChatNotifier {
    /** Sleeps between attempts; a test passes one that records instead of waiting. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http;
    private final Supplier<SlackTarget> target;
    private final int maxAttempts;
    private final Duration backoff;
    private final Duration maxRetryAfter;
    private final Sleeper sleeper;

    public SlackWebhookNotifier(HttpClient http, Supplier<SlackTarget> target, int maxAttempts, Duration backoff,
                                Duration maxRetryAfter, Sleeper sleeper) {
        this.http = http;
        this.target = target;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.maxRetryAfter = maxRetryAfter;
        this.sleeper = sleeper;
    }

    @Override
    public void post(SlackMessage message) {
        SlackTarget t = target.get();
        HttpRequest.Builder request = HttpRequest.newBuilder(t.url()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message.payload(t.channel()).toString()));
        t.botToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        String last = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Duration wait = backoff.multipliedBy(1L << Math.min(attempt - 1, 10));
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    checkApiOk(t, response.body());
                    return;
                }
                last = "HTTP " + status + " " + abbreviate(response.body());
                if (status == 429) {
                    Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(SlackWebhookNotifier::seconds);
                    wait = retryAfter.orElse(wait);
                    if (wait.compareTo(maxRetryAfter) > 0) {
                        throw new DeliveryFailedException("Slack rate limit: Retry-After " + wait.toSeconds()
                                + "s exceeds " + maxRetryAfter.toSeconds() + "s; leaving the retry to Lambda", null);
                    }
                } else if (status < 500) {
                    throw new DeliveryFailedException("Slack refused the message: " + last, null);
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeliveryFailedException("interrupted while posting to Slack", e);
            }
            if (attempt < maxAttempts) {
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeliveryFailedException("interrupted while waiting to retry Slack", e);
                }
            }
        }
        throw new DeliveryFailedException("Slack delivery failed after " + maxAttempts + " attempts: " + last, null);
    }

    private static void checkApiOk(SlackTarget t, String body) {
        if (t.botToken().isEmpty()) {
            return;
        }
        try {
            JsonNode json = MAPPER.readTree(body);
            if (!json.path("ok").asBoolean(false)) {
                throw new DeliveryFailedException("chat.postMessage answered error " + json.path("error").asText("?"), null);
            }
        } catch (IOException e) {
            throw new DeliveryFailedException("chat.postMessage answered non-JSON: " + abbreviate(body), e);
        }
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String body) {
        String b = body == null ? "" : body.strip();
        return b.length() > 200 ? b.substring(0, 200) + "…" : b;
    }
}

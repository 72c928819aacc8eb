package dev.flowgate.local;

import dev.flowgate.aws.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the local platform keeps its state between restarts: {@code FLOWGATE_STATE_DIR} ({@code scripts/platform}
 * sets {@code ~/.flowgate/state} unless told otherwise; unset, everything lives in memory and ends with the
 * process). Inside it, {@value #DYNAMODB} holds the metadata store's tables and {@value #MOTO} moto's request
 * recording, replayed at start (deployment history, state machines, the datastore bucket, secrets).
 */
public final class LocalState {
    static final String DYNAMODB = "dynamodb";
    static final String MOTO = "moto";

    private LocalState() {
    }

    public static Optional<Path> directory(Environment env) {
        return env.get("FLOWGATE_STATE_DIR").filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir).toAbsolutePath());
    }

    /** Deletes what the platform keeps in {@code dir} (its two subdirectories, nothing else there). */
    public static void erase(Path dir) {
        for (String owned : List.of(DYNAMODB, MOTO)) {
            Path target = dir.resolve(owned);
            if (!Files.exists(target)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(target)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot empty " + target + ": " + e.getMessage(), e);
            }
        }
    }

    static Map<String, Object> describe(Optional<Path> dir) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("persistent", dir.isPresent());
        dir.ifPresent(d -> body.put("directory", d.toString()));
        return body;
    }

    static String summary(Optional<Path> dir) {
        return dir.map(d -> "state kept in " + d + " across restarts (scripts/platform --fresh starts clean)")
                .orElse("state in memory only (set FLOWGATE_STATE_DIR to keep it)");
    }
}

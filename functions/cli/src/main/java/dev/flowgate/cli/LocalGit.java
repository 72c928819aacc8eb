package dev.flowgate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The {@code git} command in one directory, arguments as a list (no shell). */
final class LocalGit {
    private final Path dir;

    LocalGit(Path dir) {
        this.dir = dir;
    }

    record Result(int code, String out, String err) {
        boolean ok() {
            return code == 0;
        }
    }

    Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CliFailure("git " + args[0] + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), out.strip(), err.strip());
        } catch (IOException e) {
            throw new CliFailure("cannot run git (" + e.getMessage() + "): install git", 2, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted");
        }
    }

    Optional<String> value(String... args) {
        Result result = run(args);
        return result.ok() && !result.out().isEmpty() ? Optional.of(result.out()) : Optional.empty();
    }
}

package dev.flowgate.cli;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code owner/repo} of a git remote URL, in the forms GitHub hands out (https, ssh, scp-like). */
final class GitRemote {
    private static final Pattern URL = Pattern.compile(
            "^(?:(?:https?|ssh|git)://(?:[^@/]+@)?[^/]+(?::\\d+)?/|[^@/:\\s]+@[^:/\\s]+:)"
                    + "([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/?$");

    private GitRemote() {
    }

    static Optional<String> ownerRepo(String url) {
        Matcher m = URL.matcher(url == null ? "" : url.strip());
        return m.matches() ? Optional.of(m.group(1) + "/" + m.group(2)) : Optional.empty();
    }
}

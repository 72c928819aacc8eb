package dev.flowgate.local.github;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Read access to local git repositories laid out as {@code <root>/<owner>/<repo>} (a work tree or a bare
 * repository), through the {@code git} command. Only object names and paths that pass strict patterns reach
 * the command line, and arguments are passed as a list (no shell).
 */
final class GitRepositories {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern REV = Pattern.compile("[A-Za-z0-9_./:-]{1,300}");
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    GitRepositories(Path root) {
        this.root = root;
    }

    Optional<Path> repository(String owner, String repo) {
        if (!NAME.matcher(owner).matches() || !NAME.matcher(repo).matches() || owner.startsWith(".") || repo.startsWith(".")) {
            return Optional.empty();
        }
        Path dir = root.resolve(owner).resolve(repo);
        if (Files.isDirectory(dir.resolve(".git")) || Files.isRegularFile(dir.resolve("HEAD"))) {
            return Optional.of(dir);
        }
        Path bare = root.resolve(owner).resolve(repo + ".git");
        return Files.isRegularFile(bare.resolve("HEAD")) ? Optional.of(bare) : Optional.empty();
    }

    /** The full object id {@code rev} names (a sha, a branch, {@code sha^{tree}}), or empty. */
    Optional<String> resolve(Path repository, String rev, String suffix) {
        if (!REV.matcher(rev).matches() || rev.contains("..") || rev.startsWith("-")) {
            return Optional.empty();
        }
        Result result = git(repository, "rev-parse", "--verify", "--quiet", rev + suffix);
        return result.ok() ? Optional.of(result.text().strip()) : Optional.empty();
    }

    /** The commit {@code refs/heads/<branch>} points at, or empty when there is no such branch. */
    Optional<String> branchHead(Path repository, String branch) {
        if (!REV.matcher(branch).matches() || branch.contains("..") || branch.startsWith("-") || branch.contains(":")
                || branch.endsWith("/") || branch.endsWith(".lock")) {
            return Optional.empty();
        }
        return resolve(repository, "refs/heads/" + branch, "^{commit}");
    }

    /** How many commits are reachable from {@code to} and not from {@code from} (both full commit ids). */
    long commitsBetween(Path repository, String from, String to) {
        requireObjectId(from);
        requireObjectId(to);
        Result result = git(repository, "rev-list", "--count", from + ".." + to);
        if (!result.ok()) {
            throw new IllegalStateException("git rev-list failed: " + result.text());
        }
        return Long.parseLong(result.text().strip());
    }

    /** The best common ancestor of two commits (full ids), or empty when their histories are unrelated. */
    Optional<String> mergeBase(Path repository, String one, String two) {
        requireObjectId(one);
        requireObjectId(two);
        Result result = git(repository, "merge-base", one, two);
        return result.ok() ? Optional.of(result.text().strip()) : Optional.empty();
    }

    private static void requireObjectId(String id) {
        if (!OBJECT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a full object id: " + id);
        }
    }

    /** {@code git ls-tree -r -t -l -z}: one entry per blob, tree, link and submodule below {@code treeish}. */
    List<TreeEntry> tree(Path repository, String treeish, boolean recursive) {
        List<String> args = new ArrayList<>(List.of("ls-tree", "-l", "-z"));
        if (recursive) {
            args.add("-r");
            args.add("-t");
        }
        args.add(treeish);
        Result result = git(repository, args.toArray(String[]::new));
        if (!result.ok()) {
            throw new IllegalStateException("git ls-tree failed: " + result.text());
        }
        List<TreeEntry> entries = new ArrayList<>();
        for (String line : result.text().split("\0")) {
            if (line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            String[] meta = line.substring(0, tab).trim().split("\\s+");
            Long size = "-".equals(meta[3]) ? null : Long.parseLong(meta[3]);
            entries.add(new TreeEntry(line.substring(tab + 1), meta[0], meta[1], meta[2], size));
        }
        return entries;
    }

    Optional<byte[]> blob(Path repository, String sha) {
        Result type = git(repository, "cat-file", "-t", sha);
        if (!type.ok() || !type.text().strip().equals("blob")) {
            return Optional.empty();
        }
        Result result = git(repository, "cat-file", "blob", sha);
        return result.ok() ? Optional.of(result.bytes()) : Optional.empty();
    }

    record TreeEntry(String path, String mode, String type, String sha, Long size) {
    }

    private record Result(int exit, byte[] bytes) {
        boolean ok() {
            return exit == 0;
        }

        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Result git(Path repository, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repository.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            process.getOutputStream().close();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                out = buffer.toByteArray();
            }
            process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out".getBytes(StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, ("cannot run git: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted".getBytes(StandardCharsets.UTF_8));
        }
    }
}

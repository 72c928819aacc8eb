package dev.flowgate.deployer.domain;

/** A GitHub commit status; {@code description} is cut to GitHub's 140-character limit. */
public record CommitStatus(String state, String context, String description, String targetUrl) {
    public static final int MAX_DESCRIPTION = 140;

    public CommitStatus {
        description = description == null ? "" : description.length() <= MAX_DESCRIPTION ? description
                : description.substring(0, MAX_DESCRIPTION - 1) + "…";
    }
}

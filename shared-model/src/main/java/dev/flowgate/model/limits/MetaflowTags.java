package dev.flowgate.model.limits;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * The tags a deployment puts on every run ({@code step-functions create --tag}), checked as Metaflow 2.19's
 * {@code tagging_util.validate_tags} checks them before it deploys: at most 50 distinct tags, each a non-empty
 * string of at most 500 characters that UTF-8 can encode. Checked where the tags are read (the {@code flowgate
 * compile} command line and {@code flowgate.yaml}) so a bad tag is refused before anything is compiled or deployed.
 */
public final class MetaflowTags {
    /** {@code tagging_util.MAX_USER_TAG_SET_SIZE}. */
    public static final int MAX_TAGS = 50;
    /** {@code tagging_util.MAX_TAG_SIZE}, in characters (Python's {@code len}). */
    public static final int MAX_TAG_LENGTH = 500;

    private MetaflowTags() {
    }

    /**
     * The tags, in the order given (a repeated tag stays repeated, as Metaflow passes it on).
     *
     * @throws IllegalArgumentException naming the tag and the rule it breaks
     */
    public static List<String> validate(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (new LinkedHashSet<>(tags).size() > MAX_TAGS) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " distinct tags per deployment (Metaflow's limit), got "
                    + new LinkedHashSet<>(tags).size());
        }
        for (String tag : tags) {
            if (tag == null || tag.isEmpty()) {
                throw new IllegalArgumentException("a tag must not be empty");
            }
            int length = tag.codePointCount(0, tag.length());
            if (length > MAX_TAG_LENGTH) {
                throw new IllegalArgumentException("the tag '" + tag.substring(0, 40) + "…' is too long: " + length + " > "
                        + MAX_TAG_LENGTH + " characters");
            }
            if (!java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(tag)) {
                throw new IllegalArgumentException("the tag '" + tag + "' is not valid Unicode (UTF-8 cannot encode it)");
            }
            if (tag.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a tag must not contain a NUL character");
            }
        }
        return List.copyOf(tags);
    }
}

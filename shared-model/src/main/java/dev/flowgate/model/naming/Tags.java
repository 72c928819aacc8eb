package dev.flowgate.model.naming;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Metaflow's tag rules ({@code metaflow/tagging_util.py}): a tag is a non-empty string of at most 500
 * characters (Python counts code points); a run holds at most 50 distinct user tags, though a set that is
 * already larger may be mutated as long as it does not grow. System tags ({@code user:…},
 * {@code runtime:…}, {@code metaflow_version:…}, …) are fixed when a run is created.
 */
public final class Tags {
    public static final int MAX_TAG_LENGTH = 500;
    public static final int MAX_USER_TAGS = 50;
    /** The tag a data scientist puts on the run that production should be built from. */
    public static final String PROD_READY = "prod_ready";

    /** Prefixes Metaflow itself uses for system tags; useful to recognise them in client input. */
    public static final List<String> SYSTEM_TAG_PREFIXES = List.of(
            "user:", "runtime:", "python_version:", "date:", "metaflow_version:", "production:", "project:",
            "project_branch:", "schedule:", "origin-run-id:");

    private Tags() {
    }

    public static String requireValidTag(String field, String tag) {
        if (tag == null) {
            throw new InvalidNameException(field, field + " must contain strings only");
        }
        if (tag.isEmpty()) {
            throw new InvalidNameException(field, field + " must not contain an empty tag");
        }
        int length = tag.codePointCount(0, tag.length());
        if (length > MAX_TAG_LENGTH) {
            throw new InvalidNameException(field, field + " has a tag of " + length
                    + " characters; the limit is " + MAX_TAG_LENGTH);
        }
        if (!isWellFormedUtf16(tag)) {
            throw new InvalidNameException(field, field + " has a tag that is not valid UTF-8 text");
        }
        return tag;
    }

    /**
     * Checks a resulting user-tag set: every tag valid and at most {@link #MAX_USER_TAGS} tags, unless the
     * set does not grow compared with {@code existing} (Metaflow lets users shrink an oversized set).
     */
    public static Set<String> requireValidUserTagSet(String field, Collection<String> tags, Collection<String> existing) {
        Set<String> set = new LinkedHashSet<>();
        for (String tag : tags) {
            set.add(requireValidTag(field, tag));
        }
        if (set.size() > MAX_USER_TAGS) {
            int before = existing == null ? -1 : new LinkedHashSet<>(existing).size();
            if (before < set.size()) {
                throw new InvalidNameException(field, "a run may have at most " + MAX_USER_TAGS
                        + " user tags; this change would give it " + set.size());
            }
        }
        return set;
    }

    public static boolean looksLikeSystemTag(String tag) {
        for (String prefix : SYSTEM_TAG_PREFIXES) {
            if (tag.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWellFormedUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}

package dev.flowgate.metadata.domain;

import dev.flowgate.model.naming.Tags;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which system tags a client may set, and who may add the production gate tag.
 * <ul>
 *   <li>{@code prod_ready} is never a system tag (a system tag can never be removed, and the deployer's gate must
 *       only see a tag people can take back): 422.</li>
 *   <li>{@code user:<x>} only where {@code x} is the object's {@code user_name} (what the real client always
 *       sends: both come from the same {@code get_username()}); at most one: 422.</li>
 *   <li>{@code production:<token>} only from a caller listed in {@code FLOWGATE_PRODUCTION_CALLERS} (the
 *       production jobs' identity); nobody when unset: 422.</li>
 *   <li>Adding {@code prod_ready} (as a user tag, at creation or by tag mutation), when {@code FLOWGATE_GATE_TAGGERS}
 *       is set, only by a caller listed there: 403.</li>
 * </ul>
 *
 * @param productionCallers caller names allowed to set {@code production:} system tags
 * @param gateTaggers       caller names allowed to add {@code prod_ready}; empty = anyone with access
 */
public record TagTrustPolicy(Set<String> productionCallers, Optional<Set<String>> gateTaggers) {
    public static final String PRODUCTION_CALLERS_SETTING = "FLOWGATE_PRODUCTION_CALLERS";
    public static final String GATE_TAGGERS_SETTING = "FLOWGATE_GATE_TAGGERS";
    static final String USER_PREFIX = "user:";
    static final String PRODUCTION_PREFIX = "production:";

    public TagTrustPolicy {
        productionCallers = Set.copyOf(productionCallers);
        gateTaggers = gateTaggers.map(Set::copyOf);
    }

    /** No production callers, anyone may add the gate tag. */
    public static TagTrustPolicy defaults() {
        return new TagTrustPolicy(Set.of(), Optional.empty());
    }

    /** From the two settings' values (comma-separated names; null or blank = unset). */
    public static TagTrustPolicy fromSettings(String productionCallers, String gateTaggers) {
        Set<String> taggers = names(gateTaggers);
        return new TagTrustPolicy(names(productionCallers), taggers.isEmpty() ? Optional.empty() : Optional.of(taggers));
    }

    private static Set<String> names(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    /**
     * Refuses system tags a client may not set on a run, step or task it creates.
     *
     * @param userName the user name the object is created for (the request's, else the run's)
     */
    public void checkSystemTags(Set<String> systemTags, String userName, Caller caller) {
        int users = 0;
        for (String tag : systemTags) {
            if (tag.equals(Tags.PROD_READY)) {
                throw MetadataException.unprocessable("system_tags", "'" + Tags.PROD_READY + "' cannot be a system tag:"
                        + " it is the production gate tag and may only be a user tag (run --tag " + Tags.PROD_READY
                        + " or Run.add_tag), which can be removed again");
            }
            if (tag.startsWith(USER_PREFIX)) {
                users++;
                String claimed = tag.substring(USER_PREFIX.length());
                if (!claimed.equals(userName) || users > 1) {
                    throw MetadataException.unprocessable("system_tags", "system tag '" + tag + "' refused: a 'user:'"
                            + " system tag must name the object's own user_name ('" + (userName == null ? "" : userName)
                            + "'), once");
                }
            }
            if (tag.startsWith(PRODUCTION_PREFIX) && !(caller.known() && productionCallers.contains(caller.name()))) {
                throw MetadataException.unprocessable("system_tags", "system tag '" + tag + "' refused: 'production:'"
                        + " system tags are accepted only from the production jobs' identity ("
                        + PRODUCTION_CALLERS_SETTING + "), and this request comes from " + caller.describe());
            }
        }
    }

    /** Refuses adding the gate tag when {@code FLOWGATE_GATE_TAGGERS} is set and the caller is not listed. */
    public void checkGateTagger(String field, Caller caller) {
        if (gateTaggers.isEmpty()) {
            return;
        }
        if (!caller.known() || !gateTaggers.get().contains(caller.name())) {
            throw MetadataException.forbidden(field, "adding the tag '" + Tags.PROD_READY + "' is refused: only the"
                    + " callers listed in " + GATE_TAGGERS_SETTING + " may add the production gate tag, and this request"
                    + " comes from " + caller.describe());
        }
    }
}

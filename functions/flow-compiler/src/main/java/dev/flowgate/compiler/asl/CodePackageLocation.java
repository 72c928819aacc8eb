package dev.flowgate.compiler.asl;

import dev.flowgate.model.resources.FlowgateResources;

import java.util.regex.Pattern;

/**
 * Where a deployment's containers download the code package from, checked before it is compiled into a
 * container command: an {@code s3://} URL in the team's datastore bucket, under the datastore root
 * ({@code METAFLOW_DATASTORE_SYSROOT_S3}) or the deployer's verified-package prefix
 * ({@link FlowgateResources#VERIFIED_PACKAGES_PREFIX}), made only of letters, digits and {@code _.-/}, without
 * empty, {@code .} or {@code ..} segments. Anything else (a location recorded in run metadata by whoever wrote
 * it) is refused with the reason.
 */
public final class CodePackageLocation {
    private static final Pattern S3_URL = Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([A-Za-z0-9_./-]{1,1000})");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private CodePackageLocation() {
    }

    /** The bucket and key of {@code url}, or an {@link IllegalArgumentException} naming what is wrong. */
    public static String[] bucketAndKey(String url, String datastoreRoot) {
        var m = S3_URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("code package URL '" + printable(url) + "' is not an s3://<bucket>/<key> URL made"
                    + " of letters, digits and _.-/ only; refusing to put it in a container command");
        }
        String bucket = m.group(1);
        String key = m.group(2);
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("code package URL '" + url + "' has an empty, '.' or '..' path segment");
            }
        }
        var root = S3_URL.matcher(datastoreRoot.endsWith("/") ? datastoreRoot.substring(0, datastoreRoot.length() - 1) : datastoreRoot);
        if (!root.matches() || !root.group(1).equals(bucket)) {
            throw new IllegalArgumentException("code package URL '" + url + "' is not in the team's datastore bucket ("
                    + datastoreRoot + ")");
        }
        String rootPrefix = root.group(2) + "/";
        String verifiedPrefix = FlowgateResources.VERIFIED_PACKAGES_PREFIX + "/";
        if (!key.startsWith(rootPrefix) && !key.startsWith(verifiedPrefix)) {
            throw new IllegalArgumentException("code package URL '" + url + "' is neither under the datastore root "
                    + datastoreRoot + " nor under s3://" + bucket + "/" + verifiedPrefix);
        }
        return new String[]{bucket, key};
    }

    /** A SHA-256 digest as 64 lowercase hexadecimal digits, or an {@link IllegalArgumentException}. */
    public static String sha256(String digest) {
        if (!SHA256.matcher(digest).matches()) {
            throw new IllegalArgumentException("code package SHA-256 '" + printable(digest)
                    + "' is not 64 lowercase hexadecimal digits");
        }
        return digest;
    }

    private static String printable(String value) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        return shown.replaceAll("[\\p{Cntrl}]", "?");
    }
}

package dev.flowgate.deployer.adapter;

import dev.flowgate.compiler.asl.IncludedFile;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.PackageLimits;
import dev.flowgate.deployer.port.CodePackageStore;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Code packages in S3: runs' packages read with one GetObject from {@code s3://bucket/key} (stored raw), and the
 * packages and {@code IncludeFile} contents the deployer publishes under the verified prefix of the datastore
 * bucket ({@link FlowgateResources#VERIFIED_PACKAGES_PREFIX}), which only the deployer's role can write. A package is
 * read only up to a cap (by default the gate's {@link PackageLimits#DEFAULT} archive cap): the location comes from a
 * run's record, which anyone who can tag a run chooses, so the object there may be of any size.
 */
public final class S3CodePackageStore implements CodePackageStore {
    private static final Map<String, String> CAS_RAW = Map.of("metaflow-user-attributes", "{\"cas_raw\": true, \"cas_version\": 1}");
    private final S3Client s3;
    private final String datastoreRoot;
    private final String verifiedRoot;
    private final long maxPackageBytes;

    /** @param datastoreRoot Metaflow's {@code METAFLOW_DATASTORE_SYSROOT_S3}, e.g. {@code s3://bucket/metaflow} */
    public S3CodePackageStore(S3Client s3, String datastoreRoot) {
        this(s3, datastoreRoot, PackageLimits.DEFAULT.maxArchiveBytes());
    }

    /**
     * @param maxPackageBytes the largest object {@link #fetch} reads; the gate refuses a larger archive anyway, so reading
     *                        one would only cost memory (tests pass a small cap rather than upload hundreds of MB)
     */
    public S3CodePackageStore(S3Client s3, String datastoreRoot, long maxPackageBytes) {
        if (maxPackageBytes < 1 || maxPackageBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxPackageBytes must be between 1 and 2 GiB (one byte array), got " + maxPackageBytes);
        }
        this.maxPackageBytes = maxPackageBytes;
        this.s3 = s3;
        this.datastoreRoot = datastoreRoot.endsWith("/") ? datastoreRoot.substring(0, datastoreRoot.length() - 1) : datastoreRoot;
        URI root = URI.create(this.datastoreRoot);
        if (!"s3".equals(root.getScheme()) || root.getHost() == null) {
            throw new IllegalArgumentException("METAFLOW_DATASTORE_SYSROOT_S3 '" + datastoreRoot + "' is not an s3:// URL");
        }
        this.verifiedRoot = "s3://" + root.getHost() + "/" + FlowgateResources.VERIFIED_PACKAGES_PREFIX;
    }

    @Override
    public String datastoreRoot() {
        return datastoreRoot;
    }

    /**
     * Under the verified prefix ({@code …/flowgate/verified/included/<Flow>/<sha1>}), not Metaflow's datatools root:
     * jobs can write the datatools root, so content planted at Metaflow's predictable key would be what production
     * reads. Metaflow's {@code IncludeFile} reads the URL its descriptor names, wherever it is.
     */
    @Override
    public String includedFileLocation(String flow, byte[] content) {
        return IncludedFile.location(verifiedRoot + "/included", flow, content);
    }

    /** Stores an included file gzip-compressed; when an object is already there, its content must be these bytes or it is replaced. */
    @Override
    public void storeIncludedFile(String location, byte[] content) {
        URI uri = URI.create(location);
        String key = uri.getPath().substring(1);
        try {
            Optional<byte[]> existing = existing(uri.getHost(), key);
            if (existing.isPresent() && Arrays.equals(gunzipped(existing.get()), content)) {
                return;
            }
            s3.putObject(r -> r.bucket(uri.getHost()).key(key), RequestBody.fromBytes(IncludedFile.stored(content)));
        } catch (SdkException e) {
            throw new DeployError.Unavailable("included file could not be stored at " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String store(String flow, String sha, byte[] archive) {
        String location = datastoreRoot + "/" + flow + "/data/" + sha.substring(0, 2) + "/" + sha;
        put(location, archive, "code package");
        return location;
    }

    @Override
    public String verifiedLocation(String flow, String sha1, String sha256) {
        return verifiedRoot + "/" + sha256 + "/" + flow + "/data/" + sha1.substring(0, 2) + "/" + sha1;
    }

    @Override
    public void publishVerified(String location, byte[] archive) {
        if (!location.startsWith(verifiedRoot + "/")) {
            throw new IllegalArgumentException("a verified package is published under " + verifiedRoot + ", not at " + location);
        }
        put(location, archive, "verified code package");
    }

    private void put(String location, byte[] archive, String what) {
        URI uri = URI.create(location);
        String key = uri.getPath().substring(1);
        try {
            s3.putObject(r -> r.bucket(uri.getHost()).key(key).metadata(CAS_RAW), RequestBody.fromBytes(archive));
        } catch (SdkException e) {
            throw new DeployError.Unavailable(what + " could not be stored at " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * One GetObject; an object whose Content-Length is past the cap is refused before its body is read (the connection
     * is aborted, not drained), and a body that runs past the cap anyway (no or a wrong Content-Length) is refused as soon
     * as it does: at most cap + 1 bytes are ever held.
     */
    @Override
    public byte[] fetch(String location) {
        URI uri = URI.create(location);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException("code package location " + location + " is not an s3:// URI");
        }
        String key = uri.getPath().substring(1);
        try (ResponseInputStream<GetObjectResponse> body = s3.getObject(r -> r.bucket(uri.getHost()).key(key))) {
            Long declared = body.response().contentLength();
            if (declared != null && declared > maxPackageBytes) {
                body.abort();
                throw new DeployError.PackageTooLarge(location, maxPackageBytes, "Content-Length " + declared);
            }
            byte[] bytes = body.readNBytes((int) maxPackageBytes + 1);
            if (bytes.length > maxPackageBytes) {
                body.abort();
                throw new DeployError.PackageTooLarge(location, maxPackageBytes, "its body ran past the cap; Content-Length "
                        + (declared == null ? "absent" : declared));
            }
            return bytes;
        } catch (SdkException | IOException e) {
            throw new DeployError.Unavailable("code package " + location + " could not be read: " + e.getMessage(), e);
        }
    }

    private Optional<byte[]> existing(String bucket, String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The content of a stored included file, or null when it is not a gzip stream (then it is replaced). */
    private static byte[] gunzipped(byte[] stored) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            return in.readNBytes(64 * 1024 * 1024);
        } catch (IOException e) {
            return null;
        }
    }
}

package dev.flowgate.deployer.adapter;

import dev.flowgate.compiler.asl.IncludedFile;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.CodePackageStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;

/** Code packages from S3: {@code s3://bucket/key}, read with one GetObject (the package is stored raw). */
public final class S3CodePackageStore implements CodePackageStore {
    private final S3Client s3;
    private final String datastoreRoot;
    private final String datatoolsRoot;

    /**
     * @param datastoreRoot Metaflow's {@code METAFLOW_DATASTORE_SYSROOT_S3}, e.g. {@code s3://bucket/metaflow}
     * @param datatoolsRoot Metaflow's {@code METAFLOW_DATATOOLS_S3ROOT} (where IncludeFile contents go)
     */
    public S3CodePackageStore(S3Client s3, String datastoreRoot, String datatoolsRoot) {
        this.s3 = s3;
        this.datastoreRoot = datastoreRoot.endsWith("/") ? datastoreRoot.substring(0, datastoreRoot.length() - 1) : datastoreRoot;
        this.datatoolsRoot = datatoolsRoot;
    }

    @Override
    public String includedFileLocation(String flow, byte[] content) {
        return IncludedFile.location(datatoolsRoot, flow, content);
    }

    @Override
    public void storeIncludedFile(String location, byte[] content) {
        URI uri = URI.create(location);
        String key = uri.getPath().substring(1);
        try {
            try {
                s3.headObject(r -> r.bucket(uri.getHost()).key(key));
                return; // content-addressed: already there
            } catch (NoSuchKeyException e) {
                // store it below
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
            }
            s3.putObject(r -> r.bucket(uri.getHost()).key(key),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(IncludedFile.stored(content)));
        } catch (SdkException e) {
            throw new DeployError.Unavailable("included file could not be stored at " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String store(String flow, String sha, byte[] archive) {
        String location = datastoreRoot + "/" + flow + "/data/" + sha.substring(0, 2) + "/" + sha;
        URI uri = URI.create(location);
        String key = uri.getPath().substring(1);
        try {
            s3.putObject(r -> r.bucket(uri.getHost()).key(key)
                    .metadata(java.util.Map.of("metaflow-user-attributes", "{\"cas_raw\": true, \"cas_version\": 1}")),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(archive));
        } catch (SdkException e) {
            throw new DeployError.Unavailable("code package could not be stored at " + location + ": " + e.getMessage(), e);
        }
        return location;
    }

    @Override
    public byte[] fetch(String location) {
        URI uri = URI.create(location);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException("code package location " + location + " is not an s3:// URI");
        }
        String key = uri.getPath().substring(1);
        try {
            return s3.getObjectAsBytes(r -> r.bucket(uri.getHost()).key(key)).asByteArray();
        } catch (SdkException e) {
            throw new DeployError.Unavailable("code package " + location + " could not be read: " + e.getMessage(), e);
        }
    }
}

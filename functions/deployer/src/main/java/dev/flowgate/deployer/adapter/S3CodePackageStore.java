package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.CodePackageStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/** Code packages from S3: {@code s3://bucket/key}, read with one GetObject (the package is stored raw). */
public final class S3CodePackageStore implements CodePackageStore {
    private final S3Client s3;

    public S3CodePackageStore(S3Client s3) {
        this.s3 = s3;
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

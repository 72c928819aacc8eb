package dev.flowgate.deployer.port;

/** Reads code packages from the Metaflow datastore. */
public interface CodePackageStore {
    /** The bytes at {@code location} (e.g. {@code s3://bucket/prefix/Flow/data/ab/abc…}). */
    byte[] fetch(String location);
}

package dev.flowgate.deployer.port;

/** Reads code packages from the Metaflow datastore. */
public interface CodePackageStore {
    /** The bytes at {@code location} (e.g. {@code s3://bucket/prefix/Flow/data/ab/abc…}). */
    byte[] fetch(String location);

    /**
     * Stores a package content-addressed as Metaflow does ({@code <datastore root>/<Flow>/data/<sha[0:2]>/<sha>},
     * raw bytes) and returns its location; storing the same bytes twice is a no-op.
     */
    String store(String flow, String sha, byte[] archive);
}

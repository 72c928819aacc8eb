package dev.flowgate.deployer.port;

/** Reads and writes code packages (and the files IncludeFile parameters include) in the Metaflow datastore. */
public interface CodePackageStore {
    /**
     * The bytes at {@code location} (e.g. {@code s3://bucket/prefix/Flow/data/ab/abc…}); an object larger than the
     * store's cap is refused with {@link dev.flowgate.deployer.domain.DeployError.PackageTooLarge} without being read.
     */
    byte[] fetch(String location);

    /**
     * Stores a package content-addressed as Metaflow does ({@code <datastore root>/<Flow>/data/<sha[0:2]>/<sha>},
     * raw bytes) and returns its location; storing the same bytes twice is a no-op.
     */
    String store(String flow, String sha, byte[] archive);

    /** Metaflow's datastore root ({@code METAFLOW_DATASTORE_SYSROOT_S3}), under which runs record their packages. */
    String datastoreRoot();

    /**
     * Where the deployer publishes a verified package: {@code s3://<datastore bucket>/flowgate/verified/<sha256>/<Flow>/
     * data/<sha1[0:2]>/<sha1>}, a location Metaflow's client reads as a content-addressed package of {@code Flow}
     * (the datastore root it derives is {@code …/flowgate/verified/<sha256>}).
     */
    String verifiedLocation(String flow, String sha1, String sha256);

    /** Writes a verified package's bytes at its {@link #verifiedLocation}; only the deployer's role may write there. */
    void publishVerified(String location, byte[] archive);

    /**
     * Where Metaflow keeps the content of an {@code IncludeFile} default of {@code flow}
     * ({@code <METAFLOW_DATATOOLS_S3ROOT>/<Flow>/<sha1 of the content>}).
     */
    String includedFileLocation(String flow, byte[] content);

    /** Stores an included file at its location, gzip-compressed as Metaflow stores it; a no-op when it is there. */
    void storeIncludedFile(String location, byte[] content);
}

package dev.flowgate.deployer.domain;

import dev.flowgate.compiler.asl.CodePackageLocation;
import dev.flowgate.deployer.domain.TaggedRun.CodePackageRef;
import dev.flowgate.deployer.port.CodePackageStore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Deploys what was verified: the exact bytes the gate checked are written by the deployer itself,
 * content-addressed by their SHA-256, under the verified-package prefix only the deployer can write
 * ({@code <bucket>/flowgate/verified/<sha256>/<Flow>/data/<sha1[0:2]>/<sha1>}). The state machine is compiled
 * against that location and digest, and every container checks the digest before extracting, so what a job runs
 * cannot be swapped after the gate: not at the run's recorded (mutable, job-writable) key, not at the published
 * one. The location a run recorded is only read, and only when it is an {@code s3://} URL under the datastore
 * root made of plain characters; anything else is refused before a byte is published.
 */
public final class VerifiedPackagePublisher {
    private final CodePackageStore packages;

    public VerifiedPackagePublisher(CodePackageStore packages) {
        this.packages = packages;
    }

    /**
     * Refuses a run's recorded package location that is not a plain {@code s3://} URL under the datastore root
     * (it came from run metadata, which any holder of the metadata API key writes).
     */
    public void requireRecordedLocation(String flow, CodePackageRef recorded) {
        try {
            CodePackageLocation.bucketAndKey(recorded.location(), packages.datastoreRoot());
        } catch (IllegalArgumentException e) {
            throw new DeployError.NoCodePackage(flow, "the run's recorded code package location is refused: " + e.getMessage());
        }
    }

    /**
     * Publishes the verified bytes of a run's package (whose SHA-1 must still be the recorded one) and returns the
     * reference the compile uses; in a dry run, the same reference without writing.
     */
    public CodePackageRef publishVerified(String flow, CodePackageRef recorded, byte[] verifiedBytes, boolean dryRun) {
        requireRecordedLocation(flow, recorded);
        String sha1 = hex("SHA-1", verifiedBytes);
        if (!sha1.equals(recorded.sha())) {
            throw new DeployError.NoCodePackage(flow, "the verified package bytes have SHA-1 " + sha1 + ", the run recorded "
                    + recorded.sha());
        }
        return publish(flow, verifiedBytes, recorded.layoutVersion(), dryRun);
    }

    /** Publishes a package the deployer assembled itself (an experimental deployment from git). */
    public CodePackageRef publish(String flow, byte[] archive, int layoutVersion, boolean dryRun) {
        String sha1 = hex("SHA-1", archive);
        String sha256 = hex("SHA-256", archive);
        String location = packages.verifiedLocation(flow, sha1, sha256);
        if (!dryRun) {
            packages.publishVerified(location, archive);
        }
        return new CodePackageRef("s3", location, sha1, layoutVersion, Optional.of(sha256));
    }

    public static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JRE", e);
        }
    }
}

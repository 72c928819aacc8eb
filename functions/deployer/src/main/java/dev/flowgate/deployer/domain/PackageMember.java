package dev.flowgate.deployer.domain;

/**
 * One regular member of a code package, hashed while it was streamed.
 *
 * @param path        the archive path (leading {@code ./} removed)
 * @param memberClass its class by the package layout
 * @param size        bytes
 * @param gitBlobId   git's blob id of the bytes (compares with a git tree)
 * @param sha256      urlsafe-base64 SHA-256 without padding, as a wheel's RECORD writes it
 */
public record PackageMember(String path, MemberClass memberClass, long size, String gitBlobId, String sha256) {
}

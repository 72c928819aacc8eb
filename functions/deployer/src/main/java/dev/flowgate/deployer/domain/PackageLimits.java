package dev.flowgate.deployer.domain;

/**
 * Hard caps while reading a code package; a package past any of them is refused, never read further.
 * Defaults are far above a real package (the whole Metaflow library is ~430 members, ~1.6 MB compressed).
 */
public record PackageLimits(long maxArchiveBytes, long maxMemberBytes, long maxTotalBytes, int maxMembers,
                            long maxCompressionRatio, int maxMetaBytes) {
    public static final PackageLimits DEFAULT = new PackageLimits(256L << 20, 64L << 20, 1L << 30, 20_000, 100, 4 << 20);
}

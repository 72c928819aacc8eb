package dev.flowgate.deployer.domain;

/**
 * A package member the gate cannot account for, so the package is refused.
 *
 * @param member      the member's path as written in the archive
 * @param memberClass its class ({@link MemberClass#wireName()}), or the structural problem: {@code symlink}, {@code hardlink},
 *                    {@code device}, {@code fifo}, {@code unsafe_path}, {@code duplicate}, {@code oversized}, {@code too_many_members}
 * @param reason      why it is refused and what would fix it
 */
public record Unaccounted(String member, String memberClass, String reason) {
    @Override
    public String toString() {
        return member + " [" + memberClass + "]: " + reason;
    }
}

package dev.flowgate.deployer.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * The production gate's check of a run's code package, member by member (deploy contracts §1.8): the package is read
 * under hard caps ({@link CodePackageInventory}), its layout must be the one the run recorded (the containers choose
 * {@code PYTHONPATH} by it), every member is accounted for ({@link PackageAccounting}), and the Config values it carries
 * equal those resolved from git ({@link ConfigDrift}). The result passes only when {@link CodeComparison#identical()}.
 */
public final class PackageGate {
    private PackageGate() {
    }

    public static CodeComparison check(String flow, byte[] archive, int recordedLayout, GitCode git) {
        return check(flow, archive, recordedLayout, git, PackageLimits.DEFAULT);
    }

    public static CodeComparison check(String flow, byte[] archive, int recordedLayout, GitCode git, PackageLimits limits) {
        CodePackageInventory inventory = CodePackageInventory.read(flow, archive, limits);
        List<Unaccounted> more = new ArrayList<>();
        if (inventory.layoutVersion() != recordedLayout && !inventory.members().isEmpty()) {
            more.add(new Unaccounted(CodePackageInventory.MARKER, MemberClass.MARKER.wireName(), "the package has layout v"
                    + inventory.layoutVersion() + " but the run recorded mfcontent_version " + recordedLayout
                    + "; the containers would extract it by the wrong layout"));
        }
        more.addAll(ConfigDrift.check(inventory, git.configs()));
        return PackageAccounting.account(inventory, git).with(List.of(), List.of(), List.of(), more);
    }
}

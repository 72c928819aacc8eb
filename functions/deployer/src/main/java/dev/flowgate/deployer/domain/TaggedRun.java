package dev.flowgate.deployer.domain;

import java.util.List;
import java.util.Optional;

/**
 * The newest run of a flow carrying a tag, as the metadata service reports it.
 *
 * @param runId       the exposed run id (a number or an orchestrator id such as {@code sfn-…})
 * @param successful  the {@code end} step's last attempt reported {@code attempt_ok == True}
 * @param codePackage the run's {@code code-package} record, empty when it ran only locally
 * @param gateTagging who first added the gate tag and when, empty when the metadata API has no record of it
 */
public record TaggedRun(String flow, String runId, long tsEpoch, List<String> tags, boolean successful,
                        Optional<CodePackageRef> codePackage, Optional<GateTagging> gateTagging) {
    public TaggedRun {
        tags = List.copyOf(tags);
        gateTagging = gateTagging == null ? Optional.empty() : gateTagging;
    }

    public TaggedRun(String flow, String runId, long tsEpoch, List<String> tags, boolean successful,
                     Optional<CodePackageRef> codePackage) {
        this(flow, runId, tsEpoch, tags, successful, codePackage, Optional.empty());
    }

    public String pathspec() {
        return flow + "/" + runId;
    }

    /**
     * Where a code package lives: {@code location} is an absolute URI, {@code sha} its SHA-1; {@code sha256} is
     * present only for a package the deployer published itself ({@link VerifiedPackagePublisher}), never for the
     * location a run recorded.
     */
    public record CodePackageRef(String dsType, String location, String sha, int layoutVersion, Optional<String> sha256) {
        public CodePackageRef {
            sha256 = sha256 == null ? Optional.empty() : sha256;
        }

        public CodePackageRef(String dsType, String location, String sha, int layoutVersion) {
            this(dsType, location, sha, layoutVersion, Optional.empty());
        }
    }
}

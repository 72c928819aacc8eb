package dev.flowgate.deployer.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class GateStatusTest {
    static final GateTagging ANN = new GateTagging("ann-laptop", "authorizer", "ann", Instant.parse("2026-12-05T21:00:00.123Z"),
            "run_creation");

    @Test
    void describe_appendsWhoTaggedAndWhen_keepingTheTaggerWholeWithin140() {
        String longMessage = "deployed " + "very_long_project_name.prod.".repeat(5) + "DemoFlow from run DemoFlow/sfn-" + "x".repeat(40);
        String status = GateStatus.describe(longMessage, Optional.of(ANN));
        assertThat(status).hasSizeLessThanOrEqualTo(140)
                .endsWith("; prod_ready by ann-laptop at 2026-12-05T21:00:00Z").startsWith("deployed very_long");
        assertThat(GateStatus.describe("deployed X from run F/1", Optional.of(ANN)))
                .isEqualTo("deployed X from run F/1; prod_ready by ann-laptop at 2026-12-05T21:00:00Z");
    }

    @Test
    void describe_withoutARecord_orAnUnidentifiedCaller_saysSo() {
        assertThat(GateStatus.describe("deployed X", Optional.empty())).isEqualTo("deployed X");
        GateTagging anonymous = new GateTagging(null, "none", "bob", Instant.parse("2026-12-05T21:00:00Z"), "run_creation");
        assertThat(GateStatus.describe("deployed X", Optional.of(anonymous)))
                .isEqualTo("deployed X; prod_ready by user bob (claimed, caller unidentified) at 2026-12-05T21:00:00Z");
        String hugeCaller = "arn:aws:sts::123456789012:assumed-role/" + "r".repeat(120) + "/session";
        GateTagging iam = new GateTagging(hugeCaller, "iam", "", Instant.parse("2026-12-05T21:00:00Z"), "tag_mutation");
        assertThat(GateStatus.describe("deployed X", Optional.of(iam))).hasSizeLessThanOrEqualTo(140)
                .startsWith("deployed X; prod_ready by arn:aws:sts").contains("…").endsWith("/session at 2026-12-05T21:00:00Z");
    }
}

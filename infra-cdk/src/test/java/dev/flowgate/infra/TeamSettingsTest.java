package dev.flowgate.infra;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TeamSettingsTest {

    @Test
    void example_loads() {
        TeamSettings settings = TeamSettings.load(Path.of("teams/example.json"));
        assertThat(settings.team()).isEqualTo("ml-platform");
        assertThat(settings.efaInstanceType()).isEqualTo("p4d.24xlarge");
        assertThat(settings.existingVpcId()).isEmpty();
    }

    @Test
    void badOrMissingKeys_failNamingTheKey() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"));
        assertThatThrownBy(() -> TeamSettings.parse(json.replace("\"123456789012\"", "\"12345\"")))
                .isInstanceOfSatisfying(TeamSettings.InvalidSettings.class, e -> assertThat(e.key()).isEqualTo("account"))
                .hasMessageContaining("account has an invalid value '12345'");
        assertThatThrownBy(() -> TeamSettings.parse(json.replace("\"storageCapacityGiB\": 1200", "\"storageCapacityGiB\": 10")))
                .hasMessageContaining("fsx.storageCapacityGiB must be a whole number from 1200");
        assertThatThrownBy(() -> TeamSettings.parse(json.replace("\"efaInstanceType\"", "\"efaInstance\"")))
                .hasMessageContaining("batch.efaInstanceType is required");
        assertThatThrownBy(() -> TeamSettings.parse("{not json"))
                .isInstanceOf(TeamSettings.InvalidSettings.class);
    }

    @Test
    void repositories_becomeTheDeployersPolicy_experimentalBranchesOnlyWhereOptedIn() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"));
        assertThat(TeamSettings.parse(json).repositories()).containsExactly("acme/ml-flows:main:experimental=feature/*|exp-*");
        String entry = "{\"name\": \"acme/ml-flows\", \"productionBranch\": \"main\", \"experimentalBranches\": [\"feature/*\", \"exp-*\"]}";
        assertThat(json).contains(entry);
        String mixed = json.replace(entry, "\"acme/a\", \"acme/b:release\", {\"name\": \"acme/c\"}");
        assertThat(TeamSettings.parse(mixed).repositories()).containsExactly("acme/a", "acme/b:release", "acme/c:main");
        String bad = json.replace(entry, "{\"name\": \"acme/c\", \"experimentalBranches\": [\"a b\"]}, \"acme/d:x:experimental=*\"");
        assertThatThrownBy(() -> TeamSettings.parse(bad)).isInstanceOfSatisfying(TeamSettings.InvalidSettings.class,
                e -> assertThat(e.key()).isEqualTo("deployment.repositories[0].experimentalBranches"))
                .hasMessageContaining("deployment.repositories[1] must be owner/repo");
    }

    @Test
    void metadataCallers_areOptional_andACallerNameWithACommaIsRefusedNamingTheKey() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"));
        TeamSettings example = TeamSettings.parse(json);
        assertThat(example.metadataCallers().productionCallers()).containsExactly("key-sha256:0123456789abcdef");
        assertThat(example.metadataCallers().environment()).containsEntry("FLOWGATE_GATE_TAGGERS",
                "key-sha256:fedcba9876543210,arn:aws:iam::123456789012:role/release");

        String without = json.replaceAll("(?s),\\s*\"productionCallers\".*?\\]\\s*,\\s*\"gateTaggers\".*?\\]", "");
        MetadataCallers none = TeamSettings.parse(without).metadataCallers();
        assertThat(none.productionCallers()).isEmpty();
        assertThat(none.gateTaggers()).isEmpty();
        assertThat(none.environment()).containsOnly(java.util.Map.entry("FLOWGATE_PRODUCTION_CALLERS", ""));

        assertThatThrownBy(() -> TeamSettings.parse(json.replace("\"key-sha256:fedcba9876543210\"", "\"a,b\"")))
                .isInstanceOfSatisfying(TeamSettings.InvalidSettings.class,
                        e -> assertThat(e.key()).isEqualTo("metadataApi.gateTaggers"));
    }
}

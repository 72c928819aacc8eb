package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.domain.RepositoryPolicy.Target;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepositoryPolicyTest {
    @Test
    void byDefault_onlyTheProductionBranchDeploys() {
        RepositoryPolicy policy = RepositoryPolicy.parse("acme/ml, acme/other:release");
        assertThat(policy.target("acme/ml", "main")).contains(Target.PRODUCTION);
        assertThat(policy.target("ACME/ML", "main")).contains(Target.PRODUCTION);
        assertThat(policy.target("acme/ml", "feature/x")).isEmpty();
        assertThat(policy.target("acme/other", "release")).contains(Target.PRODUCTION);
        assertThat(policy.target("acme/other", "main")).isEmpty();
        assertThat(policy.target("acme/unknown", "main")).isEmpty();
        assertThat(policy.refusal("acme/ml", "feature/x")).contains("no experimental branches are allowed")
                .contains("FLOWGATE_REPOSITORIES=acme/ml:main:experimental=<glob>");
        assertThat(policy.refusal("acme/unknown", "main")).contains("not configured for deployment");
    }

    @Test
    void experimentalBranches_areAPerRepositoryOptIn() {
        RepositoryPolicy policy = RepositoryPolicy.parse("acme/ml:main:experimental=feature/*|exp-*,acme/other");
        assertThat(policy.target("acme/ml", "feature/new/model")).contains(Target.EXPERIMENTAL);
        assertThat(policy.target("acme/ml", "exp-1")).contains(Target.EXPERIMENTAL);
        assertThat(policy.target("acme/ml", "main")).contains(Target.PRODUCTION);
        assertThat(policy.target("acme/ml", "hotfix")).isEmpty();
        assertThat(policy.target("acme/ml", "xfeature/a")).isEmpty();
        assertThat(policy.target("acme/other", "feature/x")).isEmpty();
        assertThat(policy.refusal("acme/ml", "hotfix")).contains("experimental branches are feature/*|exp-*");
    }

    @Test
    void malformedEntries_areRefusedNamingTheEntry() {
        for (String bad : new String[] {"acme", "acme/ml:main:feature/*", "acme/ml:main:experimental=", "acme/ml:main:experimental=a b",
                "acme/ml:main:experimental=a:b", "acme/ml,acme/ML", "acme/ml::experimental=x", "acme/ml:ma in"}) {
            assertThatThrownBy(() -> RepositoryPolicy.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("FLOWGATE_REPOSITORIES entry");
        }
    }

    @Test
    void theRetiredGlobalSetting_isRefusedNotIgnored() {
        assertThatThrownBy(() -> RepositoryPolicy.refuseGlobalExperimentalSetting(Optional.of("*")))
                .hasMessageContaining("FLOWGATE_EXPERIMENTAL_BRANCHES is no longer read").hasMessageContaining("experimental=");
        RepositoryPolicy.refuseGlobalExperimentalSetting(Optional.empty());
        RepositoryPolicy.refuseGlobalExperimentalSetting(Optional.of(" "));
    }
}

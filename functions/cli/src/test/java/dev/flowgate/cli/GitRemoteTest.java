package dev.flowgate.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GitRemoteTest {
    @Test
    void ownerRepo_fromTheFormsGitHubHandsOut() {
        assertThat(GitRemote.ownerRepo("https://github.com/acme/churn_model.git")).contains("acme/churn_model");
        assertThat(GitRemote.ownerRepo("https://github.com/acme/churn_model")).contains("acme/churn_model");
        assertThat(GitRemote.ownerRepo("https://user:token@github.example.com/acme/ml.flows.git")).contains("acme/ml.flows");
        assertThat(GitRemote.ownerRepo("git@github.com:acme/churn_model.git")).contains("acme/churn_model");
        assertThat(GitRemote.ownerRepo("ssh://git@github.com:22/acme/churn_model.git")).contains("acme/churn_model");
        assertThat(GitRemote.ownerRepo("/home/me/churn_model")).isEmpty();
        assertThat(GitRemote.ownerRepo("https://github.com/acme")).isEmpty();
        assertThat(GitRemote.ownerRepo("")).isEmpty();
    }
}

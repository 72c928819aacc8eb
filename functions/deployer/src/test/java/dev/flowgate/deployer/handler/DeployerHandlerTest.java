package dev.flowgate.deployer.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.domain.DeploymentIds;
import dev.flowgate.deployer.domain.DeploymentPipeline;
import dev.flowgate.deployer.domain.RepositoryPolicy;
import dev.flowgate.deployer.fakes.Fakes;
import dev.flowgate.deployer.fakes.InMemoryDeploymentStore;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeployerHandlerTest {
    final Fakes.FakeGitHost git = new Fakes.FakeGitHost();
    final DeployerHandler handler = new DeployerHandler(new DeploymentPipeline(git, new Fakes.FakeRunRegistry(),
            new Fakes.FakeCodePackageStore(), new Fakes.FakeFlowCompiler(), new Fakes.RecordingJobDefinitions(),
            new Fakes.FakeStateMachineDeployer(),
            new InMemoryDeploymentStore(), new InMemoryDeploymentStore(), new Fakes.RecordingAlertNotifier(), RepositoryPolicy.parse("acme/ml-flows:main:experimental=*"),
            Map.of(), Optional.empty(), new DeploymentIds(), Clock.systemUTC()));

    JsonNode invoke(String payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
        return FlowgateJson.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void invoke_withInvalidFields_listsEveryFieldAndDeploysNothing() throws IOException {
        JsonNode result = invoke("{\"repository\":\"acme/ml-flows\",\"commit_sha\":\"HEAD\",\"ref\":\"main\","
                + "\"dryrun\":true,\"flows\":[\"Bad-Name\"]}");
        assertThat(result.get("outcome").asText()).isEqualTo("invalid_request");
        assertThat(result.get("status").asInt()).isEqualTo(400);
        assertThat(result.get("errors").findValuesAsText("field"))
                .contains("commit_sha", "ref", "dryrun", "flows[0]");
        assertThat(git.statuses).isEmpty();
    }

    @Test
    void invoke_withMissingRequiredField_namesIt() throws IOException {
        JsonNode result = invoke("{\"commit_sha\":\"" + "a".repeat(40) + "\",\"ref\":\"refs/heads/main\"}");
        assertThat(result.get("field").asText()).isEqualTo("repository");
    }

    @Test
    void invoke_withMalformedJson_isAnInvalidRequestNotACrash() throws IOException {
        JsonNode result = invoke("{\"repository\": ");
        assertThat(result.get("outcome").asText()).isEqualTo("invalid_request");
        assertThat(result.get("message").asText()).contains("not valid JSON");
    }

    @Test
    void invoke_validRequest_returnsTheSynchronousResult() throws IOException {
        String sha = "b".repeat(40);
        git.commit(sha, Map.of());
        JsonNode result = invoke("{\"repository\":\"acme/ml-flows\",\"commit_sha\":\"" + sha + "\","
                + "\"ref\":\"refs/heads/main\",\"dry_run\":true,\"request_id\":\"jenkins:deploy#7\"}");
        assertThat(result.get("schema").asText()).isEqualTo("flowgate-deploy-result/v1");
        assertThat(result.get("request_id").asText()).isEqualTo("jenkins:deploy#7");
        assertThat(result.get("outcome").asText()).isEqualTo("invalid_manifest");
        assertThat(result.get("ok").asBoolean()).isFalse();
        assertThat(result.get("deployment_id").asText()).startsWith("d-");
    }

    @Test
    void invoke_withAMalformedOrOverlongDeploymentId_is400NamingIt() throws IOException {
        for (String id : new String[] {"d-1", "d-20261129T001500123Z-3f9a1c" + "0".repeat(300), "d-20261129T001500123Z-3F9A1C"}) {
            JsonNode result = invoke("{\"repository\":\"acme/ml-flows\",\"commit_sha\":\"" + "b".repeat(40) + "\","
                    + "\"ref\":\"refs/heads/main\",\"deployment_id\":\"" + id + "\"}");
            assertThat(result.get("status").asInt()).as(id).isEqualTo(400);
            assertThat(result.get("field").asText()).as(id).isEqualTo("deployment_id");
        }
        assertThat(git.statuses).isEmpty();
    }

    @Test
    void invoke_reusingTheIdOfAnEarlierInvocation_is400NamingIt() throws IOException {
        String sha = "b".repeat(40);
        git.commit(sha, Map.of());
        String request = "{\"repository\":\"acme/ml-flows\",\"commit_sha\":\"" + sha + "\",\"ref\":\"refs/heads/main\"";
        String id = invoke(request + ",\"dry_run\":true}").get("deployment_id").asText();
        JsonNode again = invoke(request + ",\"deployment_id\":\"" + id + "\"}");
        assertThat(again.get("outcome").asText()).isEqualTo("invalid_request");
        assertThat(again.get("field").asText()).isEqualTo("deployment_id");
        assertThat(again.get("message").asText()).contains("used once");
    }
}

package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.deployer.domain.DeploymentHistory;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.MetaflowNames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /local/deployments/<flow>/<deployment id>}: one deployment record as JSON — what a local commit status
 * links to (on AWS the link goes to the Step Functions console instead). 404 naming what was not found.
 */
final class LocalDeploymentRecords implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    static final String MOUNT = "/local/deployments";
    private final DeploymentHistory history;

    LocalDeploymentRecords(DeploymentHistory history) {
        this.history = history;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        if (!"GET".equalsIgnoreCase(request.getHttpMethod())) {
            return json(405, Map.of("message", "GET only"));
        }
        String rest = Optional.ofNullable(request.getPath()).orElse("").substring(Math.min(MOUNT.length(),
                Optional.ofNullable(request.getPath()).orElse("").length()));
        String[] parts = rest.replaceFirst("^/", "").split("/");
        if (parts.length != 2 || !MetaflowNames.isFlowName(parts[0]) || !parts[1].matches("d-[0-9A-Za-z-]{1,40}")) {
            return json(400, Map.of("message", "path must be " + MOUNT + "/<Flow>/<deployment id>", "field", "path"));
        }
        return history.find(parts[0], parts[1]).map(record -> json(200, view(record)))
                .orElseGet(() -> json(404, Map.of("message", "no deployment " + parts[1] + " of " + parts[0])));
    }

    private static Map<String, Object> view(DeploymentRecord record) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("deployment_id", record.deploymentId());
        view.put("flow", record.flow());
        view.put("kind", record.kind());
        view.put("outcome", record.outcome().name().toLowerCase());
        view.put("message", record.message());
        view.put("repository", record.repository());
        view.put("commit_sha", record.commitSha());
        view.put("branch", record.branch());
        view.put("production", record.production());
        view.put("state_machine", record.stateMachine());
        view.put("version_arn", record.versionArn());
        view.put("run_pathspec", record.runPathspec());
        view.put("at", String.valueOf(record.at()));
        view.put("differing", record.differing());
        view.put("stage_ms", record.stageMillis());
        return view;
    }

    private static APIGatewayProxyResponseEvent json(int status, Object body) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(FlowgateJson.write(body));
    }
}

package dev.flowgate.deployer.handler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.deployer.domain.CodeComparison;
import dev.flowgate.deployer.domain.DeployRequestJson;
import dev.flowgate.deployer.domain.DeployResult;
import dev.flowgate.deployer.domain.GateTagging;
import dev.flowgate.model.json.FlowgateJson;

/** The deploy result as JSON ({@code flowgate-deploy-result/v1}), documented in the module README. */
final class ResultJson {
    static final String SCHEMA = "flowgate-deploy-result/v1";

    private ResultJson() {
    }

    static ObjectNode write(DeployResult result) {
        ObjectNode node = FlowgateJson.mapper().createObjectNode();
        node.put("schema", SCHEMA);
        node.put("deployment_id", result.deploymentId());
        node.put("request_id", result.requestId());
        node.put("repository", result.repository());
        node.put("commit_sha", result.commitSha());
        node.put("outcome", result.outcome().wireName());
        node.put("ok", !result.outcome().isFailure());
        node.put("message", result.message());
        ArrayNode flows = node.putArray("flows");
        for (DeployResult.FlowResult flow : result.flows()) {
            ObjectNode f = flows.addObject();
            f.put("flow", flow.flow());
            f.put("outcome", flow.outcome().wireName());
            f.put("message", flow.message());
            f.put("run_pathspec", flow.runPathspec());
            f.put("state_machine", flow.stateMachine());
            f.put("version_arn", flow.versionArn());
            flow.plan().ifPresent(p -> f.put("plan", p));
            flow.gateTagging().ifPresent(g -> f.set("gate_tag", gateTag(g)));
            flow.comparison().ifPresent(c -> f.set("comparison", comparison(c)));
            flow.graph().ifPresent(g -> {
                ObjectNode graph = f.putObject("graph");
                graph.put("summary", g.summary());
                g.takenOver().forEach(graph.putArray("taken_over")::add);
            });
            ObjectNode stages = f.putObject("stage_ms");
            flow.stageMillis().forEach(stages::put);
        }
        return node;
    }

    static ObjectNode invalid(DeployRequestJson.InvalidRequest error) {
        ObjectNode node = FlowgateJson.mapper().createObjectNode();
        node.put("schema", SCHEMA);
        node.put("outcome", "invalid_request");
        node.put("ok", false);
        node.put("status", 400);
        node.put("message", error.getMessage());
        node.put("field", error.errors().isEmpty() ? "$" : error.errors().get(0).field());
        ArrayNode errors = node.putArray("errors");
        error.errors().forEach(e -> errors.addObject().put("field", e.field()).put("message", e.message()));
        return node;
    }

    /** Who first added prod_ready to the run deployed, and when (caller identity as the metadata API saw it). */
    static ObjectNode gateTag(GateTagging g) {
        ObjectNode node = FlowgateJson.mapper().createObjectNode();
        node.put("tag", "prod_ready");
        node.put("tagged_by", g.who());
        node.put("caller", g.taggedBy());
        node.put("caller_kind", g.callerKind());
        node.put("user_name", g.userName());
        node.put("tagged_at", g.taggedAt().toString());
        node.put("via", g.via());
        return node;
    }

    private static ObjectNode comparison(CodeComparison c) {
        ObjectNode node = FlowgateJson.mapper().createObjectNode();
        node.put("files", c.files());
        c.mismatched().forEach(node.putArray("mismatched")::add);
        c.onlyInPackage().forEach(node.putArray("only_in_package")::add);
        c.onlyInGit().forEach(node.putArray("only_in_git")::add);
        var unaccounted = node.putArray("unaccounted");
        c.unaccounted().forEach(u -> unaccounted.addObject().put("member", u.member()).put("class", u.memberClass())
                .put("reason", u.reason()));
        return node;
    }
}

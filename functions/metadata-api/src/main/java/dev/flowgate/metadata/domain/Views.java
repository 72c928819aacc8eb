package dev.flowgate.metadata.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON objects Metaflow's client reads, field for field as the reference service writes them. Step,
 * task and artifact views carry the run's current tags (tag mutation on a run shows on every descendant).
 */
final class Views {
    private Views() {
    }

    static Map<String, Object> flow(Flow flow) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", flow.flowId());
        view.put("user_name", flow.userName());
        view.put("ts_epoch", flow.tsEpoch());
        view.put("tags", flow.tags());
        view.put("system_tags", flow.systemTags());
        return view;
    }

    static Map<String, Object> run(Run run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", run.flowId());
        view.put("run_number", run.exposedId().jsonValue());
        view.put("user_name", run.userName());
        view.put("ts_epoch", run.tsEpoch());
        view.put("tags", sorted(run.tags()));
        view.put("system_tags", sorted(run.systemTags()));
        view.put("last_heartbeat_ts", run.lastHeartbeatTs());
        return view;
    }

    /** Flowgate's gate record (not part of Metaflow's contract; the client never asks for it). */
    static Map<String, Object> gateTagging(Run run, GateTagging gate) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", run.flowId());
        view.put("run_number", run.exposedId().jsonValue());
        view.put("tag", dev.flowgate.model.naming.Tags.PROD_READY);
        view.put("tagged_by", gate.taggedBy());
        view.put("caller_kind", gate.callerKind());
        view.put("user_name", gate.userName());
        view.put("tagged_at", gate.taggedAt());
        view.put("via", gate.via());
        view.put("still_tagged", run.tags().contains(dev.flowgate.model.naming.Tags.PROD_READY));
        return view;
    }

    static Map<String, Object> step(Step step, Run run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", step.flowId());
        view.put("run_number", run.exposedId().jsonValue());
        view.put("step_name", step.stepName());
        view.put("user_name", step.userName());
        view.put("ts_epoch", step.tsEpoch());
        view.put("tags", sorted(run.tags()));
        view.put("system_tags", sorted(run.systemTags()));
        return view;
    }

    static Map<String, Object> task(Task task, Run run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", task.key().flowId());
        view.put("run_number", run.exposedId().jsonValue());
        view.put("step_name", task.key().stepName());
        view.put("task_id", task.exposedId().jsonValue());
        view.put("user_name", task.userName());
        view.put("ts_epoch", task.tsEpoch());
        view.put("tags", sorted(run.tags()));
        view.put("system_tags", sorted(run.systemTags()));
        view.put("last_heartbeat_ts", task.lastHeartbeatTs());
        return view;
    }

    static Map<String, Object> artifact(Artifact artifact, Run run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow_id", artifact.key().flowId());
        view.put("run_number", artifact.runId().jsonValue());
        view.put("step_name", artifact.key().stepName());
        view.put("task_id", artifact.taskId().jsonValue());
        view.put("name", artifact.name());
        view.put("location", artifact.location());
        view.put("ds_type", artifact.dsType());
        view.put("sha", artifact.sha());
        view.put("type", artifact.type());
        view.put("content_type", artifact.contentType());
        view.put("user_name", artifact.userName());
        view.put("attempt_id", artifact.attemptId());
        view.put("ts_epoch", artifact.tsEpoch());
        view.put("tags", sorted(run.tags()));
        view.put("system_tags", sorted(run.systemTags()));
        return view;
    }

    static Map<String, Object> metadata(MetadataEntry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", entry.id());
        view.put("flow_id", entry.key().flowId());
        view.put("run_number", entry.runId().jsonValue());
        view.put("step_name", entry.key().stepName());
        view.put("task_id", entry.taskId().jsonValue());
        view.put("field_name", entry.fieldName());
        view.put("value", entry.value());
        view.put("type", entry.type());
        view.put("user_name", entry.userName());
        view.put("ts_epoch", entry.tsEpoch());
        view.put("tags", entry.tags());
        view.put("system_tags", entry.systemTags());
        return view;
    }

    static List<String> sorted(Set<String> tags) {
        List<String> list = new ArrayList<>(tags);
        list.sort(null);
        return list;
    }
}

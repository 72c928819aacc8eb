package dev.flowgate.deployer.adapter;

import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.StateMachineDeployer;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.naming.NameHash;
import dev.flowgate.model.resources.FlowgateResources;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.InputTransformer;
import software.amazon.awssdk.services.eventbridge.model.RuleState;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDeletingException;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step Functions state machines (CreateStateMachine / UpdateStateMachine with {@code publish=true}, so every
 * deployment is a version that a rollback can return to) and what starts them:
 * <ul>
 *   <li>{@code @schedule}: one EventBridge Scheduler schedule per state machine in the group
 *   {@link FlowgateResources#scheduleGroupName()}, named as Metaflow names its rule (the state machine name, cut
 *   as {@link #ruleName}), in the flow's time zone (UTC when it has none), input {@code {"Parameters": "{}"}}.
 *   An EventBridge rule of the same name starting the same state machine (how Metaflow, and Flowgate before
 *   Scheduler, deploy a schedule) is removed, so a flow never fires twice.</li>
 *   <li>{@code @trigger_on_finish}: one EventBridge rule per state machine,
 *   {@link FlowgateResources#finishRulePrefix()} + name, on "Step Functions Execution Status Change" with status
 *   SUCCEEDED of the upstream state machines, target this state machine with the triggering execution in its
 *   input.</li>
 * </ul>
 */
public final class SfnStateMachineDeployer implements StateMachineDeployer {
    static final String STATUS_CHANGE = "Step Functions Execution Status Change";
    private static final String SCHEDULE_INPUT = "{\"Parameters\": \"{}\"}";
    private static final int DELETING_RETRIES = 10;
    private final SfnClient sfn;
    private final EventBridgeClient events;
    private final SchedulerClient scheduler;
    private final String roleArn;
    private final String eventsRoleArn;
    private final String scheduleGroup;
    private final String finishRulePrefix;
    private final long deletingBackoffMillis;
    private volatile boolean scheduleGroupExists;

    /**
     * @param eventsRoleArn the role EventBridge and EventBridge Scheduler assume to start executions
     *                      ({@code METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE})
     */
    public SfnStateMachineDeployer(SfnClient sfn, EventBridgeClient events, SchedulerClient scheduler, String roleArn,
                                   String eventsRoleArn, FlowgateResources names, long deletingBackoffMillis) {
        this.sfn = sfn;
        this.events = events;
        this.scheduler = scheduler;
        this.roleArn = roleArn;
        this.eventsRoleArn = eventsRoleArn;
        this.scheduleGroup = names.scheduleGroupName();
        this.finishRulePrefix = names.finishRulePrefix();
        this.deletingBackoffMillis = deletingBackoffMillis;
    }

    @Override
    public DeployedMachine deploy(String name, String definition, Map<String, String> tags, String versionDescription) {
        List<Tag> sfnTags = tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<String> existing = arnOf(name);
                if (existing.isPresent()) {
                    UpdateStateMachineResponse updated = sfn.updateStateMachine(r -> r.stateMachineArn(existing.get())
                            .definition(definition).roleArn(roleArn).publish(true).versionDescription(versionDescription));
                    sfn.tagResource(r -> r.resourceArn(existing.get()).tags(sfnTags));
                    return new DeployedMachine(existing.get(), nz(updated.stateMachineVersionArn()), false);
                }
                CreateStateMachineResponse created = sfn.createStateMachine(r -> r.name(name).definition(definition)
                        .roleArn(roleArn).tags(sfnTags).publish(true).versionDescription(versionDescription));
                return new DeployedMachine(created.stateMachineArn(), nz(created.stateMachineVersionArn()), true);
            } catch (StateMachineDeletingException e) {
                // a quick re-create after an undeploy: wait until Step Functions finished deleting
                if (attempt >= DELETING_RETRIES) {
                    throw new DeployError.Unavailable("state machine " + name + " is still being deleted; retry later", e);
                }
                sleep(deletingBackoffMillis * attempt);
            } catch (SdkException e) {
                throw new DeployError.Unavailable("Step Functions refused " + name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<String> currentDefinition(String name) {
        try {
            return arnOf(name).map(arn -> sfn.describeStateMachine(r -> r.stateMachineArn(arn)).definition());
        } catch (SdkException e) {
            throw new DeployError.Unavailable("Step Functions: cannot describe " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void schedule(String name, String stateMachineArn, Optional<FlowCompiler.Schedule> schedule) {
        String scheduleName = ruleName(name);
        try {
            if (schedule.isPresent()) {
                putSchedule(name, scheduleName, stateMachineArn, schedule.get());
            } else {
                deleteSchedule(scheduleName);
            }
            removeLegacyScheduleRule(name);
        } catch (SdkException e) {
            throw new DeployError.Unavailable("EventBridge Scheduler: schedule of " + name + " failed: " + e.getMessage(), e);
        }
    }

    private void putSchedule(String machine, String scheduleName, String stateMachineArn, FlowCompiler.Schedule schedule) {
        ensureScheduleGroup();
        boolean exists = scheduleExists(scheduleName);
        String description = "Flowgate @schedule of " + machine;
        software.amazon.awssdk.services.scheduler.model.Target target = software.amazon.awssdk.services.scheduler.model.Target
                .builder().arn(stateMachineArn).roleArn(eventsRoleArn).input(SCHEDULE_INPUT).build();
        // UpdateSchedule replaces every field: a time zone that was removed goes back to UTC
        String timezone = schedule.timezone().orElse("UTC");
        if (exists) {
            scheduler.updateSchedule(r -> r.name(scheduleName).groupName(scheduleGroup).description(description)
                    .scheduleExpression(schedule.expression()).scheduleExpressionTimezone(timezone)
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF)).state(ScheduleState.ENABLED)
                    .actionAfterCompletion(ActionAfterCompletion.NONE).target(target));
        } else {
            scheduler.createSchedule(r -> r.name(scheduleName).groupName(scheduleGroup).description(description)
                    .scheduleExpression(schedule.expression()).scheduleExpressionTimezone(timezone)
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF)).state(ScheduleState.ENABLED)
                    .actionAfterCompletion(ActionAfterCompletion.NONE).target(target));
        }
    }

    private boolean scheduleExists(String scheduleName) {
        try {
            scheduler.getSchedule(r -> r.name(scheduleName).groupName(scheduleGroup));
            return true;
        } catch (software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException e) {
            return false;
        }
    }

    private void deleteSchedule(String scheduleName) {
        try {
            scheduler.deleteSchedule(r -> r.name(scheduleName).groupName(scheduleGroup));
        } catch (software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException e) {
            // no schedule (or no group yet): nothing to remove
        }
    }

    /** The CDK stack creates the group; on the local platform the first schedule does. */
    private void ensureScheduleGroup() {
        if (scheduleGroupExists) {
            return;
        }
        try {
            scheduler.getScheduleGroup(r -> r.name(scheduleGroup));
        } catch (software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException e) {
            try {
                scheduler.createScheduleGroup(r -> r.name(scheduleGroup));
            } catch (software.amazon.awssdk.services.scheduler.model.ConflictException created) {
                // created meanwhile by another deployment
            }
        }
        scheduleGroupExists = true;
    }

    /**
     * Metaflow's {@code step-functions create} (and Flowgate before it moved schedules to EventBridge Scheduler)
     * schedules with an EventBridge rule named {@link #ruleName} targeting the state machine; left in place it
     * would start the flow a second time. A rule of that name that targets something else is not touched.
     */
    private void removeLegacyScheduleRule(String machine) {
        String rule = ruleName(machine);
        try {
            events.describeRule(r -> r.name(rule));
        } catch (software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException e) {
            return;
        }
        List<String> ours = events.listTargetsByRule(r -> r.rule(rule)).targets().stream()
                .filter(t -> t.arn().endsWith(":stateMachine:" + machine)).map(Target::id).toList();
        if (ours.isEmpty()) {
            return;
        }
        events.removeTargets(r -> r.rule(rule).ids(ours));
        if (events.listTargetsByRule(r -> r.rule(rule)).targets().isEmpty()) {
            events.deleteRule(r -> r.name(rule));
        }
    }

    @Override
    public void triggerOnFinish(String name, String stateMachineArn, List<String> upstreamStateMachines) {
        String rule = finishRuleName(name);
        try {
            if (upstreamStateMachines.isEmpty()) {
                deleteRule(rule);
                return;
            }
            String arnPrefix = stateMachineArn.substring(0, stateMachineArn.lastIndexOf(':') + 1);
            List<String> upstreamArns = upstreamStateMachines.stream().map(up -> arnPrefix + up).toList();
            events.putRule(r -> r.name(rule).eventPattern(finishEventPattern(upstreamArns)).state(RuleState.ENABLED)
                    .description("Flowgate @trigger_on_finish: starts " + name + " when " + String.join(" or ", upstreamStateMachines)
                            + " succeeds"));
            // the state machine reads only "Parameters"; the triggering execution rides along in the execution input
            // for whoever looks. ARNs hold no quote or backslash, so the quoted placeholders stay valid JSON.
            Map<String, String> paths = new LinkedHashMap<>();
            paths.put("execution", "$.detail.executionArn");
            paths.put("upstream", "$.detail.stateMachineArn");
            String template = "{\"Parameters\": \"{}\", \"flowgate_trigger\": {\"type\": \"trigger_on_finish\","
                    + " \"upstream_state_machine_arn\": \"<upstream>\", \"upstream_execution_arn\": \"<execution>\"}}";
            events.putTargets(r -> r.rule(rule).targets(Target.builder().id(rule).arn(stateMachineArn).roleArn(eventsRoleArn)
                    .inputTransformer(InputTransformer.builder().inputPathsMap(paths).inputTemplate(template).build()).build()));
        } catch (SdkException e) {
            throw new DeployError.Unavailable("EventBridge: @trigger_on_finish rule of " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** The event pattern of a finish trigger: a SUCCEEDED status change of one of the upstream state machines. */
    static String finishEventPattern(List<String> upstreamStateMachineArns) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("status", List.of("SUCCEEDED"));
        detail.put("stateMachineArn", upstreamStateMachineArns);
        Map<String, Object> pattern = new LinkedHashMap<>();
        pattern.put("source", List.of("aws.states"));
        pattern.put("detail-type", List.of(STATUS_CHANGE));
        pattern.put("detail", detail);
        return FlowgateJson.write(pattern);
    }

    private void deleteRule(String rule) {
        try {
            List<String> targets = events.listTargetsByRule(r -> r.rule(rule)).targets().stream().map(Target::id).toList();
            if (!targets.isEmpty()) {
                events.removeTargets(r -> r.rule(rule).ids(targets));
            }
            events.deleteRule(r -> r.name(rule));
        } catch (software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException e) {
            // no rule: nothing to remove
        }
    }

    @Override
    public boolean undeploy(String name) {
        try {
            Optional<String> arn = arnOf(name);
            schedule(name, arn.orElse(""), Optional.empty());
            triggerOnFinish(name, arn.orElse(""), List.of());
            if (arn.isEmpty()) {
                return false;
            }
            sfn.deleteStateMachine(r -> r.stateMachineArn(arn.get()));
            return true;
        } catch (SdkException e) {
            throw new DeployError.Unavailable("Step Functions: cannot delete " + name + ": " + e.getMessage(), e);
        }
    }

    /** Metaflow's rule name: the state machine name, or when longer than 64 its first 47 chars + "-" + 16 base32 chars of SHA-1. */
    static String ruleName(String stateMachine) {
        return cut(stateMachine);
    }

    /** The finish-trigger rule of a state machine: the prefix + its name, cut as {@link #ruleName} to 64 characters. */
    String finishRuleName(String stateMachine) {
        return cut(finishRulePrefix + stateMachine);
    }

    private static String cut(String name) {
        if (name.length() <= 64) {
            return name;
        }
        return name.substring(0, 47) + "-" + NameHash.base32Sha1(name).substring(0, 16);
    }

    private Optional<String> arnOf(String name) {
        return sfn.listStateMachinesPaginator(r -> r.maxResults(100)).stateMachines().stream()
                .filter(m -> m.name().equals(name)).map(StateMachineListItem::stateMachineArn).findFirst();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.flowgate.deployer.adapter;

import dev.flowgate.model.naming.NameHash;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.StateMachineDeployer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.RuleState;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDeletingException;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineResponse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step Functions state machines (CreateStateMachine / UpdateStateMachine with {@code publish=true}, so every
 * deployment is a version that a rollback can return to) and their EventBridge schedule rules (one rule per
 * state machine, named after it as Metaflow does, target id = rule name, input {@code {"Parameters": "{}"}}).
 */
public final class SfnStateMachineDeployer implements StateMachineDeployer {
    private static final int DELETING_RETRIES = 10;
    private final SfnClient sfn;
    private final EventBridgeClient events;
    private final String roleArn;
    private final String eventsRoleArn;
    private final long deletingBackoffMillis;

    public SfnStateMachineDeployer(SfnClient sfn, EventBridgeClient events, String roleArn, String eventsRoleArn,
                                   long deletingBackoffMillis) {
        this.sfn = sfn;
        this.events = events;
        this.roleArn = roleArn;
        this.eventsRoleArn = eventsRoleArn;
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
    public void schedule(String name, String stateMachineArn, Optional<String> expression) {
        String rule = ruleName(name);
        try {
            if (expression.isPresent()) {
                events.putRule(r -> r.name(rule).scheduleExpression(expression.get()).state(RuleState.ENABLED)
                        .description("Flowgate schedule of " + name));
                // as Metaflow: target id = rule name; a flow with Parameters needs the "Parameters" key in the input
                events.putTargets(r -> r.rule(rule).targets(Target.builder().id(rule).arn(stateMachineArn)
                        .roleArn(eventsRoleArn).input("{\"Parameters\": \"{}\"}").build()));
            } else {
                boolean exists = events.listRules(r -> r.namePrefix(rule)).rules().stream().anyMatch(x -> x.name().equals(rule));
                if (exists) {
                    events.removeTargets(r -> r.rule(rule).ids(rule));
                    events.deleteRule(r -> r.name(rule));
                }
            }
        } catch (SdkException e) {
            throw new DeployError.Unavailable("EventBridge: schedule of " + name + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean undeploy(String name) {
        try {
            Optional<String> arn = arnOf(name);
            schedule(name, arn.orElse(""), Optional.empty());
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
        if (stateMachine.length() <= 64) {
            return stateMachine;
        }
        return stateMachine.substring(0, 47) + "-" + NameHash.base32Sha1(stateMachine).substring(0, 16);
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

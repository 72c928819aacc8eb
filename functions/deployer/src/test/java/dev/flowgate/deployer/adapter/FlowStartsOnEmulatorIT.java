package dev.flowgate.deployer.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.deployer.domain.ProjectBranch;
import dev.flowgate.deployer.port.FlowCompiler;
import dev.flowgate.deployer.port.FlowCompiler.CompiledFlow;
import dev.flowgate.deployer.port.StateMachineDeployer.DeployedMachine;
import dev.flowgate.emulator.AwsEmulator;
import dev.flowgate.emulator.AwsEmulatorExtension;
import dev.flowgate.model.json.FlowgateJson;
import dev.flowgate.model.resources.FlowgateResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @schedule(timezone=...)} as an EventBridge Scheduler schedule and {@code @trigger_on_finish} as an
 * EventBridge rule, from flow source through the real flow compiler to the emulated services (moto) and back.
 */
@ExtendWith(AwsEmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowStartsOnEmulatorIT {
    static final String ROLE = "arn:aws:iam::123456789012:role/flowgate-events-test";
    static final String STARTED_FLOW = """
            from metaflow import FlowSpec, step, project, schedule, trigger_on_finish

            @project(name="demo")
            @schedule(cron="30 6 * * ? *", timezone="Europe/Berlin")
            @trigger_on_finish(flow="IngestFlow")
            class DemoFlow(FlowSpec):
                @step
                def start(self):
                    self.next(self.end)

                @step
                def end(self):
                    pass
            """;
    static final String PLAIN_FLOW = STARTED_FLOW
            .replace("@schedule(cron=\"30 6 * * ? *\", timezone=\"Europe/Berlin\")\n", "")
            .replace("@trigger_on_finish(flow=\"IngestFlow\")\n", "");

    private SfnClient sfn;
    private EventBridgeClient events;
    private SchedulerClient scheduler;
    private FlowgateResources names;
    private SfnStateMachineDeployer deployer;
    private AwsEmulator emulator;
    private String probeBus;

    @BeforeAll
    void clients(AwsEmulator emulator) {
        this.emulator = emulator;
        sfn = emulator.settings().configure(SfnClient.builder());
        events = emulator.settings().configure(EventBridgeClient.builder());
        scheduler = emulator.settings().configure(SchedulerClient.builder());
        names = new FlowgateResources(AwsEmulator.uniqueName("fs"));
        deployer = new SfnStateMachineDeployer(sfn, events, scheduler, ROLE, ROLE, names, 10);
        probeBus = names.prefix() + "-probe";
    }

    @AfterAll
    void close() {
        sfn.close();
        events.close();
        scheduler.close();
    }

    /** What DeploymentPipeline's deploy stage does with a compiled flow. */
    private DeployedMachine deploy(String source, ProjectBranch branch) {
        CompiledFlow compiled = new MetaflowFlowCompiler().compile(MetaflowFlowCompilerTest.request(source, "DemoFlow", branch));
        DeployedMachine machine = deployer.deploy(compiled.stateMachineName(), compiled.definitionJson(), Map.of(), "test");
        deployer.schedule(compiled.stateMachineName(), machine.arn(), compiled.schedule());
        deployer.triggerOnFinish(compiled.stateMachineName(), machine.arn(), compiled.triggeredBy());
        return machine;
    }

    private GetScheduleResponse schedule(String machine) {
        return scheduler.getSchedule(r -> r.groupName(names.scheduleGroupName()).name(SfnStateMachineDeployer.ruleName(machine)));
    }

    private static String upstreamArn(DeployedMachine downstream, String upstream) {
        return downstream.arn().substring(0, downstream.arn().lastIndexOf(':') + 1) + upstream;
    }

    @Test
    void deploy_timezoneScheduleAndFinishTrigger_thenRedeployWithoutThem_removesBoth() {
        DeployedMachine machine = deploy(STARTED_FLOW, ProjectBranch.experimental("tz_on"));
        String name = "demo.test.tz_on.DemoFlow";
        assertThat(machine.arn()).endsWith(":stateMachine:" + name);

        GetScheduleResponse schedule = schedule(name);
        assertThat(schedule.scheduleExpression()).isEqualTo("cron(30 6 * * ? *)");
        assertThat(schedule.scheduleExpressionTimezone()).isEqualTo("Europe/Berlin");
        assertThat(schedule.state()).isEqualTo(ScheduleState.ENABLED);
        assertThat(schedule.flexibleTimeWindow().mode()).isEqualTo(FlexibleTimeWindowMode.OFF);
        assertThat(schedule.target().arn()).isEqualTo(machine.arn());
        assertThat(schedule.target().roleArn()).isEqualTo(ROLE);
        assertThat(FlowgateJson.parse(schedule.target().input()).path("Parameters").asText()).isEqualTo("{}");

        String rule = deployer.finishRuleName(name);
        assertThat(rule).startsWith(names.prefix() + "-finish-");
        JsonNode pattern = FlowgateJson.parse(events.describeRule(r -> r.name(rule)).eventPattern());
        assertThat(pattern.path("source").toString()).isEqualTo("[\"aws.states\"]");
        assertThat(pattern.path("detail-type").toString()).isEqualTo("[\"Step Functions Execution Status Change\"]");
        assertThat(pattern.at("/detail/status").toString()).isEqualTo("[\"SUCCEEDED\"]");
        assertThat(pattern.at("/detail/stateMachineArn/0").asText()).isEqualTo(upstreamArn(machine, "demo.test.tz_on.IngestFlow"));
        assertThat(events.listTargetsByRule(r -> r.rule(rule)).targets()).singleElement().satisfies(t -> {
            assertThat(t.arn()).isEqualTo(machine.arn());
            assertThat(t.roleArn()).isEqualTo(ROLE);
            assertThat(t.inputTransformer().inputPathsMap()).containsEntry("execution", "$.detail.executionArn");
            assertThat(t.inputTransformer().inputTemplate()).startsWith("{\"Parameters\": \"{}\"");
        });

        DeployedMachine again = deploy(PLAIN_FLOW, ProjectBranch.experimental("tz_on"));

        assertThat(again.arn()).isEqualTo(machine.arn());
        assertThatThrownBy(() -> schedule(name))
                .isInstanceOf(software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException.class);
        assertThatThrownBy(() -> events.describeRule(r -> r.name(rule)))
                .isInstanceOf(software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException.class);
    }

    @Test
    void removingTheTimezone_leavesOneUtcSchedule_andAddingItBackUpdatesIt() {
        String utc = STARTED_FLOW.replace(", timezone=\"Europe/Berlin\"", "");
        deploy(STARTED_FLOW, ProjectBranch.experimental("tz_off"));
        String name = "demo.test.tz_off.DemoFlow";
        assertThat(schedule(name).scheduleExpressionTimezone()).isEqualTo("Europe/Berlin");

        deploy(utc, ProjectBranch.experimental("tz_off"));

        assertThat(schedule(name).scheduleExpressionTimezone()).isEqualTo("UTC");
        assertThat(scheduler.listSchedules(r -> r.groupName(names.scheduleGroupName()).namePrefix(name)).schedules())
                .singleElement().satisfies(s -> assertThat(s.name()).isEqualTo(name));
        assertThatThrownBy(() -> events.describeRule(r -> r.name(name)))
                .isInstanceOf(software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException.class);

        deploy(STARTED_FLOW.replace("Europe/Berlin", "Asia/Tokyo"), ProjectBranch.experimental("tz_off"));
        assertThat(schedule(name).scheduleExpressionTimezone()).isEqualTo("Asia/Tokyo");
    }

    @Test
    void aMetaflowStyleScheduleRule_isReplacedByTheSchedulerSchedule_andARuleOfAnotherTargetIsLeftAlone() {
        String name = "demo.test.legacy.DemoFlow";
        DeployedMachine machine = deploy(PLAIN_FLOW, ProjectBranch.experimental("legacy"));
        // what Metaflow's step-functions create (and Flowgate before EventBridge Scheduler) made
        events.putRule(r -> r.name(name).scheduleExpression("cron(30 6 * * ? *)"));
        events.putTargets(r -> r.rule(name).targets(Target.builder().id(name).arn(machine.arn()).roleArn(ROLE)
                .input("{\"Parameters\": \"{}\"}").build()));
        String foreign = "demo.test.legacy2.DemoFlow";
        events.putRule(r -> r.name(foreign).scheduleExpression("rate(1 day)"));
        events.putTargets(r -> r.rule(foreign).targets(Target.builder().id("other").arn(machine.arn().replace(name, "SomethingElse"))
                .roleArn(ROLE).build()));

        try {
            deploy(STARTED_FLOW, ProjectBranch.experimental("legacy"));
            deployer.schedule(foreign, machine.arn().replace(name, foreign), Optional.empty());

            assertThatThrownBy(() -> events.describeRule(r -> r.name(name)))
                    .isInstanceOf(software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException.class);
            assertThat(schedule(name).scheduleExpression()).isEqualTo("cron(30 6 * * ? *)");
            assertThat(events.describeRule(r -> r.name(foreign)).name()).isEqualTo(foreign);
        } finally {
            // moto matches a schedule rule against every PutEvents and fails on its Step Functions target
            for (String rule : List.of(name, foreign)) {
                try {
                    events.removeTargets(r -> r.rule(rule).ids(rule, "other"));
                    events.deleteRule(r -> r.name(rule));
                } catch (software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException gone) {
                    // removed by the deployer
                }
            }
        }
    }

    /**
     * moto 5.2.5 does not implement TestEventPattern (it answers an empty body) and cannot deliver to a Step
     * Functions target, but it routes PutEvents through a rule's event pattern and input transformer to SQS. So the
     * deployed rule's pattern and its target's input transformer, read back from the emulator, are copied onto a
     * probe rule on a bus of the test's own with a queue as target: the queue receives exactly what the deployed
     * rule would hand to StartExecution.
     */
    @Test
    void finishRule_letsThroughASucceededExecutionOfTheUpstreamOnly_asTheInputTheStateMachineReads() {
        DeployedMachine machine = deploy(STARTED_FLOW, ProjectBranch.experimental("pattern"));
        String rule = deployer.finishRuleName("demo.test.pattern.DemoFlow");
        String upstream = upstreamArn(machine, "demo.test.pattern.IngestFlow");
        String deployedPattern = events.describeRule(r -> r.name(rule)).eventPattern();
        Target deployed = events.listTargetsByRule(r -> r.rule(rule)).targets().get(0);
        assertThat(deployed.arn()).isEqualTo(machine.arn());
        try (SqsClient sqs = emulator.settings().configure(SqsClient.builder())) {
            String queueUrl = sqs.createQueue(r -> r.queueName(names.prefix() + "-probe")).queueUrl();
            String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            events.createEventBus(r -> r.name(probeBus));
            events.putRule(r -> r.name("probe").eventBusName(probeBus).eventPattern(deployedPattern));
            events.putTargets(r -> r.rule("probe").eventBusName(probeBus).targets(Target.builder().id("probe").arn(queueArn)
                    .inputTransformer(deployed.inputTransformer()).build()));

            put(upstream, "FAILED", "aws.states");
            put(upstream, "RUNNING", "aws.states");
            put(upstream, "TIMED_OUT", "aws.states");
            put(upstreamArn(machine, "demo.prod.IngestFlow"), "SUCCEEDED", "aws.states");
            put(upstreamArn(machine, "demo.test.pattern.IngestFlowV2"), "SUCCEEDED", "aws.states");
            put(upstream, "SUCCEEDED", "custom.states");
            String execution = put(upstream, "SUCCEEDED", "aws.states");

            List<Message> received = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
                received.addAll(batch);
            }
            assertThat(received).singleElement().satisfies(m -> {
                JsonNode input = FlowgateJson.parse(m.body());
                assertThat(input.path("Parameters").asText()).isEqualTo("{}");
                assertThat(input.at("/flowgate_trigger/upstream_execution_arn").asText()).isEqualTo(execution);
                assertThat(input.at("/flowgate_trigger/upstream_state_machine_arn").asText()).isEqualTo(upstream);
            });
        }
    }

    /** Puts a "Step Functions Execution Status Change" event as Step Functions sends it; returns its execution ARN. */
    private String put(String stateMachineArn, String status, String source) {
        String executionName = "sfn-" + status.toLowerCase(java.util.Locale.ROOT) + "-" + System.nanoTime();
        String executionArn = stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + executionName;
        String detail = """
                {"executionArn": "%s", "stateMachineArn": "%s", "name": "%s", "status": "%s",
                 "startDate": 1795834800000, "stopDate": %s, "input": "{\\"Parameters\\": \\"{}\\"}",
                 "output": null, "inputDetails": {"included": true}, "outputDetails": null, "error": null, "cause": null}
                """.formatted(executionArn, stateMachineArn, executionName, status, status.equals("RUNNING") ? "null" : "1795835021881");
        var response = events.putEvents(r -> r.entries(e -> e.eventBusName(probeBus).source(source).detailType("Step Functions Execution Status Change")
                .resources(executionArn).detail(detail)));
        assertThat(response.failedEntryCount()).isZero();
        return executionArn;
    }

    @Test
    void undeploy_removesTheScheduleAndTheFinishRule() {
        deploy(STARTED_FLOW, ProjectBranch.experimental("gone"));
        String name = "demo.test.gone.DemoFlow";

        assertThat(deployer.undeploy(name)).isTrue();

        assertThatThrownBy(() -> schedule(name))
                .isInstanceOf(software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException.class);
        assertThatThrownBy(() -> events.describeRule(r -> r.name(deployer.finishRuleName(name))))
                .isInstanceOf(software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException.class);
        assertThat(deployer.undeploy(name)).isFalse();
    }

    @Test
    void finishRuleName_keepsThePrefixAndFitsEventBridgesLimit() {
        String longName = "team_project." + "b".repeat(40) + ".DemoFlow";
        String rule = deployer.finishRuleName(longName);
        assertThat(rule).hasSize(64).startsWith(names.finishRulePrefix()).matches(".{47}-[a-z2-7]{16}");
        assertThat(deployer.finishRuleName("demo.prod.F")).isEqualTo(names.finishRulePrefix() + "demo.prod.F");
        assertThat(SfnStateMachineDeployer.finishEventPattern(List.of("arn:aws:states:us-east-1:1:stateMachine:a.prod.Up")))
                .isEqualTo("{\"source\":[\"aws.states\"],\"detail-type\":[\"Step Functions Execution Status Change\"],"
                        + "\"detail\":{\"status\":[\"SUCCEEDED\"],\"stateMachineArn\":[\"arn:aws:states:us-east-1:1:stateMachine:a.prod.Up\"]}}");
    }

    @Test
    void aSchedule_onTheFirstDeployOfAnAccount_createsTheScheduleGroup() {
        FlowgateResources fresh = new FlowgateResources(AwsEmulator.uniqueName("grp"));
        SfnStateMachineDeployer first = new SfnStateMachineDeployer(sfn, events, scheduler, ROLE, ROLE, fresh, 10);
        assertThatThrownBy(() -> scheduler.getScheduleGroup(r -> r.name(fresh.scheduleGroupName())))
                .isInstanceOf(software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException.class);
        first.schedule("grp.prod.F", "arn:aws:states:us-east-1:123456789012:stateMachine:grp.prod.F",
                Optional.of(new FlowCompiler.Schedule("rate(1 hour)", Optional.empty())));
        assertThat(scheduler.getScheduleGroup(r -> r.name(fresh.scheduleGroupName())).name()).isEqualTo(fresh.scheduleGroupName());
    }
}

package dev.flowgate.compiler;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A compiled flow: the state machine name and definition (Amazon States Language JSON), the AWS Batch job
 * definitions the definition refers to by name (to be registered, idempotently, before the state machine is
 * created or updated), and how the deployed flow starts by itself: its {@code @schedule} and the upstream
 * state machines of {@code @trigger_on_finish}. The compiler only names them; the deployer creates the
 * EventBridge Scheduler schedule and the EventBridge rule.
 */
public record CompiledFlow(String stateMachineName, String definitionJson, Optional<Schedule> schedule,
                           List<JobDefinition> jobDefinitions, List<FinishTrigger> finishTriggers) {

    public CompiledFlow {
        Objects.requireNonNull(schedule, "schedule");
        jobDefinitions = List.copyOf(jobDefinitions);
        finishTriggers = List.copyOf(finishTriggers);
    }

    /** The schedule expression alone, e.g. {@code cron(0 3 * * ? *)}. */
    public Optional<String> scheduleExpression() {
        return schedule.map(Schedule::expression);
    }

    /** A Batch job definition: its content-addressed name and the RegisterJobDefinition request as JSON. */
    public record JobDefinition(String name, String registrationJson) {
    }

    /**
     * {@code @schedule}: an AWS cron or rate expression, evaluated in {@code timezone} (an IANA name such as
     * {@code Europe/Berlin}) when one is given, else in UTC.
     */
    public record Schedule(String expression, Optional<String> timezone) {
        public Schedule {
            Objects.requireNonNull(expression, "expression");
            Objects.requireNonNull(timezone, "timezone");
        }
    }

    /**
     * One upstream of {@code @trigger_on_finish}: the flow, the {@code @project} name and branch it was resolved
     * in (empty for a flow without a project) and the name of its state machine, whose successful executions
     * start this flow.
     */
    public record FinishTrigger(String flow, Optional<String> project, Optional<String> branch, String stateMachineName) {
    }
}

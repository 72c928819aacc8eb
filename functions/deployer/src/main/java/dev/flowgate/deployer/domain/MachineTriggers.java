package dev.flowgate.deployer.domain;

import dev.flowgate.deployer.port.FlowCompiler.Schedule;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What starts a state machine by itself, besides a person: the schedule of {@code @schedule} and the upstream state
 * machines of {@code @trigger_on_finish}. Recorded with every deployment, so a rollback restores them with the
 * definition they belong to.
 */
public record MachineTriggers(Optional<Schedule> schedule, List<String> onSuccessOf) {
    public static final MachineTriggers NONE = new MachineTriggers(Optional.empty(), List.of());

    public MachineTriggers {
        Objects.requireNonNull(schedule, "schedule");
        onSuccessOf = List.copyOf(onSuccessOf);
    }
}

"""Starts after HelloFlow succeeds and reads what that run produced through current.trigger."""
from metaflow import FlowSpec, current, step, trigger_on_finish


@trigger_on_finish(flow="HelloFlow")
class TriggeredFlow(FlowSpec):
    @step
    def start(self):
        trigger = getattr(current, "trigger", None)  # as locally: no attribute when nothing triggered the run
        self.upstream = trigger.run.pathspec if trigger else None
        self.upstream_greeting = trigger.run["hello"].task["greeting"].data if trigger else None
        self.next(self.end)

    @step
    def end(self):
        trigger = getattr(current, "trigger", None)
        self.upstream_at_end = trigger.run.pathspec if trigger else None


if __name__ == "__main__":
    TriggeredFlow()

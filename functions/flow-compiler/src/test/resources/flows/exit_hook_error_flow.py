"""@exit_hook with on_error only, in an image of its own; the hook also takes an import path."""
from metaflow import FlowSpec, Parameter, batch, exit_hook, step


def page_on_call(run):
    print(f"paging: {run.pathspec} failed")


@exit_hook(on_error=[page_on_call, "flowgate_hooks.alerts.open_ticket"],
           options={"image": "registry.example.com/alerting:1.2"})
class NightlyLoadFlow(FlowSpec):
    day = Parameter("day", default="today")

    @batch(image="registry.example.com/etl:3.0", cpu=2)
    @step
    def start(self):
        self.next(self.load)

    @step
    def load(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NightlyLoadFlow()

"""Both lists over two @exit_hook decorators: Python applies the lower one first, so its hooks run first."""
import metaflow
from metaflow import FlowSpec, Parameter, step
from team_hooks import notify_channel


def record_outcome(run=None):
    print(f"HOOK record_outcome {run.successful if run else None}")


@metaflow.exit_hook(on_success=[notify_channel], on_error=[notify_channel])
@metaflow.exit_hook(
    on_success=[record_outcome],
    on_error=[record_outcome, "record_outcome"],
)
class TrainFlow(FlowSpec):
    fail = Parameter("fail", help="1 makes the train step fail", default=0)

    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        if self.fail:
            raise RuntimeError("training diverged")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TrainFlow()

"""Both lists over two @exit_hook decorators: Python applies the lower one first, so its hooks run first."""
import metaflow
from metaflow import FlowSpec, step
from team_hooks import notify_channel


def record_outcome(run=None):
    print(run.successful if run else None)


@metaflow.exit_hook(on_success=[notify_channel], on_error=[notify_channel])
@metaflow.exit_hook(
    on_success=[record_outcome],
    on_error=[record_outcome, "record_outcome"],
)
class TrainFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TrainFlow()

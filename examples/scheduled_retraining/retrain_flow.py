"""Nightly retraining on a schedule: Flowgate creates the EventBridge rule when it deploys."""
from metaflow import FlowSpec, Parameter, project, schedule, step, resources


@project(name="churn_model")
@schedule(cron="0 3 * * ? *")
class NightlyRetrainFlow(FlowSpec):
    """Retrains every night at 03:00 UTC on the last `days` days of data."""

    days = Parameter("days", default=30, type=int)

    @step
    def start(self):
        self.window = f"last {self.days} days"
        self.next(self.train)

    @resources(cpu=4, memory=16384)
    @step
    def train(self):
        self.model_version = f"retrained on {self.window}"
        self.next(self.end)

    @step
    def end(self):
        print(self.model_version)


if __name__ == "__main__":
    NightlyRetrainFlow()

"""Starts when the upstream flow of the same @project branch finishes successfully."""
from metaflow import FlowSpec, project, step, trigger_on_finish


@trigger_on_finish(flow="FeatureFlow")
@project(name="reports")
class ScoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ScoreFlow()

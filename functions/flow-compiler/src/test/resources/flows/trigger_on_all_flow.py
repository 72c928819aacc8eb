"""Starts once both upstream flows of the same @project branch have finished successfully since its last run."""
from metaflow import FlowSpec, project, step, trigger_on_finish


@trigger_on_finish(flows=["FeatureFlow", "LabelFlow"])
@project(name="reports")
class JoinedScoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinedScoreFlow()

"""An upstream flow of trigger_on_all_flow.py (functions/flow-compiler corpus) in the compiled-runs e2e suite."""
from metaflow import FlowSpec, project, step


@project(name="reports")
class LabelFlow(FlowSpec):
    @step
    def start(self):
        self.made_by = "LabelFlow"
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LabelFlow()

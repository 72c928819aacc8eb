"""@exit_hook with on_success only: the end step leads to the hooks; a failed run ends as without hooks."""
from metaflow import FlowSpec, exit_hook, step


def publish_report(run=None):
    print(f"run {run.pathspec} finished: publishing the report")


def refresh_dashboard():
    print("refreshing the dashboard")


@exit_hook(on_success=[publish_report, "refresh_dashboard"])
class ReportFlow(FlowSpec):
    @step
    def start(self):
        self.rows = 10
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ReportFlow()

import os

from metaflow import FlowSpec, step


class ResumeFlow(FlowSpec):
    """Fails in `middle` while E2E_FAIL_MIDDLE=1; a resume without it completes the run."""

    @step
    def start(self):
        self.prepared = "from the original run"
        self.next(self.middle)

    @step
    def middle(self):
        if os.environ.get("E2E_FAIL_MIDDLE") == "1":
            raise RuntimeError("failing on purpose so that the run can be resumed")
        self.finished_by = "resume"
        self.next(self.end)

    @step
    def end(self):
        self.summary = "%s, %s" % (self.prepared, self.finished_by)


if __name__ == "__main__":
    ResumeFlow()

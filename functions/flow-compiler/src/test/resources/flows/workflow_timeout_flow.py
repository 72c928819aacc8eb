# compile: --workflow-timeout 86400
"""--workflow-timeout: the execution's TimeoutSeconds, and the DynamoDB lifetime of foreach and switch items."""
from metaflow import FlowSpec, step


class DeadlineFlow(FlowSpec):
    @step
    def start(self):
        self.batches = [1, 2, 3]
        self.next(self.fetch, foreach="batches")

    @step
    def fetch(self):
        self.rows = self.input * 10
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.rows = sum(i.rows for i in inputs)
        self.next(self.judge)

    @step
    def judge(self):
        self.verdict = "retrain" if self.rows > 50 else "keep"
        self.next({"retrain": self.retrain, "keep": self.keep}, condition="verdict")

    @step
    def retrain(self):
        self.next(self.report)

    @step
    def keep(self):
        self.next(self.report)

    @step
    def report(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DeadlineFlow()

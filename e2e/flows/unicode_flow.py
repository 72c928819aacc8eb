"""A flow whose name, tag and artifacts are not ASCII: the real client must run and read it back as the reference
metadata service allows (issue 14: Unicode flow names were refused with 400)."""
from metaflow import FlowSpec, step


class FlüßFlow(FlowSpec):
    @step
    def start(self):
        self.grüße = "Grüße aus Köln — 東京"
        self.next(self.end)

    @step
    def end(self):
        self.länge = len(self.grüße)


if __name__ == "__main__":
    FlüßFlow()

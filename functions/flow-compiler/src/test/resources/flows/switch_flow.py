"""A switch: the step writes an artifact, self.next picks the step by its value."""
from metaflow import FlowSpec, Parameter, step


class SwitchFlow(FlowSpec):
    size = Parameter("size", default=10)

    @step
    def start(self):
        self.mode = "big" if self.size > 5 else "small"
        self.next({"big": self.heavy, "small": self.light}, condition="mode")

    @step
    def heavy(self):
        self.result = "heavy"
        self.next(self.report)

    @step
    def light(self):
        self.result = "light"
        self.next(self.report)

    @step
    def report(self):
        print(self.result)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchFlow()

from metaflow import FlowSpec, step


class LinearFlow(FlowSpec):
    """start -> middle -> end, one artifact per step."""

    @step
    def start(self):
        self.greeting = "hello"
        self.next(self.middle)

    @step
    def middle(self):
        self.count = 41 + 1
        self.next(self.end)

    @step
    def end(self):
        self.summary = "%s %d" % (self.greeting, self.count)


if __name__ == "__main__":
    LinearFlow()

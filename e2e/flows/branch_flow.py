from metaflow import FlowSpec, step


class BranchFlow(FlowSpec):
    """A static branch: start -> (left, right) -> join -> end."""

    @step
    def start(self):
        self.base = 10
        self.next(self.left, self.right)

    @step
    def left(self):
        self.value = self.base + 1
        self.next(self.join)

    @step
    def right(self):
        self.value = self.base + 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = sorted(i.value for i in inputs)
        self.merge_artifacts(inputs, exclude=["value"])
        self.next(self.end)

    @step
    def end(self):
        self.total = sum(self.values) + self.base


if __name__ == "__main__":
    BranchFlow()

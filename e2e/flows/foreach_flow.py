from metaflow import FlowSpec, step


class ForeachFlow(FlowSpec):
    """A foreach over three numbers, squared in parallel tasks, summed in the join."""

    @step
    def start(self):
        self.numbers = [1, 2, 3]
        self.next(self.square, foreach="numbers")

    @step
    def square(self):
        self.number = self.input
        self.squared = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.squares = sorted(i.squared for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.total = sum(self.squares)


if __name__ == "__main__":
    ForeachFlow()

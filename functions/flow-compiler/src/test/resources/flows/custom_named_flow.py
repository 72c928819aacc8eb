from metaflow import FlowSpec, Parameter, step


class CustomNamedFlow(FlowSpec):
    n = Parameter("n", default=3)

    @step(start=True)
    def begin(self):
        self.items = list(range(self.n))
        self.next(self.process, foreach="items")

    @step
    def process(self):
        self.sq = self.input ** 2
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.total = sum(i.sq for i in inputs)
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        print(self.total)


if __name__ == "__main__":
    CustomNamedFlow()

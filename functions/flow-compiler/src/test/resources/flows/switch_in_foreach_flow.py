"""Inside a foreach body a switch; one case is a static split, both cases meet in the body's last step."""
from metaflow import FlowSpec, step


class SwitchInForeachFlow(FlowSpec):
    @step
    def start(self):
        self.sizes = [1, 8, 3, 12]
        self.next(self.classify, foreach="sizes")

    @step
    def classify(self):
        self.size = self.input
        self.mode = "big" if self.size > 5 else "small"
        self.next({"big": self.heavy, "small": self.light}, condition="mode")

    @step
    def heavy(self):
        self.next(self.shard_a, self.shard_b)

    @step
    def shard_a(self):
        self.cost = self.size
        self.next(self.heavy_done)

    @step
    def shard_b(self):
        self.cost = self.size
        self.next(self.heavy_done)

    @step
    def heavy_done(self, inputs):
        self.size = inputs[0].size
        self.cost = sum(i.cost for i in inputs)
        self.next(self.tally)

    @step
    def light(self):
        self.cost = 1
        self.next(self.tally)

    @step
    def tally(self):
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.costs = sorted(i.cost for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.costs)


if __name__ == "__main__":
    SwitchInForeachFlow()

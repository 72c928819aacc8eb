# compile: --use-distributed-map --max-workers 1000
"""A wide foreach as a Distributed Map; inside each split a static split and a switch."""
from metaflow import FlowSpec, Parameter, batch, retry, step


class WideFlow(FlowSpec):
    shards = Parameter("shards", default=5000)

    @step
    def start(self):
        self.ids = list(range(self.shards))
        self.next(self.score, foreach="ids")

    @batch(cpu=1, memory=2048)
    @step
    def score(self):
        self.shard = self.input
        self.next(self.features, self.labels)

    @step
    def features(self):
        self.x = [self.shard]
        self.next(self.combine)

    @step
    def labels(self):
        self.y = [self.shard % 2]
        self.next(self.combine)

    @step
    def combine(self, inputs):
        self.shard = inputs[0].shard
        self.next(self.classify)

    @step
    def classify(self):
        self.kind = "odd" if self.shard % 2 else "even"
        self.next({"odd": self.odd, "even": self.even}, condition="kind")

    @retry(times=1)
    @step
    def odd(self):
        self.value = 1
        self.next(self.tally)

    @step
    def even(self):
        self.value = 0
        self.next(self.tally)

    @step
    def tally(self):
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.odd_shards = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.odd_shards)


if __name__ == "__main__":
    WideFlow()

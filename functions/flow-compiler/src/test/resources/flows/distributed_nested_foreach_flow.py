# compile: --use-distributed-map
"""A foreach inside a foreach, both as Distributed Maps (the inner one runs inside each outer split)."""
from metaflow import FlowSpec, step


class NestedWideFlow(FlowSpec):
    @step
    def start(self):
        self.regions = ["eu", "us", "ap"]
        self.next(self.region, foreach="regions")

    @step
    def region(self):
        self.stores = [f"{self.input}-{i}" for i in range(2000)]
        self.next(self.store, foreach="stores")

    @step
    def store(self):
        self.sales = len(self.input)
        self.next(self.stores_done)

    @step
    def stores_done(self, inputs):
        self.total = sum(i.sales for i in inputs)
        self.next(self.summarize)

    @step
    def summarize(self):
        self.next(self.regions_done)

    @step
    def regions_done(self, inputs):
        self.grand_total = sum(i.total for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NestedWideFlow()

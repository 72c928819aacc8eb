"""A flow assembled by inheritance in one file: a base flow, a subclass that overrides a step, and a mixin."""
from metaflow import FlowSpec, Parameter, project, retry, resources, schedule, step


class ReportingMixin:
    """Not a FlowSpec: Metaflow still finds its step and parameter (it looks them up with dir(cls))."""
    verbose = Parameter("verbose", default=False)

    @step
    def report(self):
        self.summary = "%s scored %d" % (self.model, self.score)
        if self.verbose:
            print(self.summary)
        self.next(self.end)


@project(name="inherit_demo")
class BaseTrainFlow(FlowSpec):
    alpha = Parameter("alpha", default=2)
    shards = Parameter("shards", default=3)

    @step
    def start(self):
        self.parts = list(range(1, self.shards + 1))
        self.next(self.train, foreach="parts")

    @step
    def train(self):
        self.model = "base"
        self.part = self.input
        self.next(self.join)

    @resources(memory=2048)
    @step
    def join(self, inputs):
        self.model = inputs[0].model
        self.score = sum(i.part for i in inputs)
        self.next(self.report)

    @step
    def report(self):
        self.summary = "never used: the mixin's report comes first in the method resolution order"
        self.next(self.end)

    @step
    def end(self):
        print(self.summary)


class TunedTrainFlow(BaseTrainFlow):
    @retry(times=1)
    @step
    def train(self):
        self.model = "tuned"
        self.part = self.input
        self.next(self.evaluate)

    @step
    def evaluate(self):
        self.part = self.part * self.alpha
        self.next(self.join)


@schedule(daily=True)
class InheritedFlow(ReportingMixin, TunedTrainFlow):
    alpha = Parameter("alpha", default=3)


if __name__ == "__main__":
    InheritedFlow()

"""A flow whose decorators come from mutators: every step gets @retry(times=4) from a FlowMutator, and `train`
gets @resources(gpu=2, memory=24576) from a StepMutator. The compiler never runs these classes; the deployer takes
their effect from the prod_ready run's _graph_info (e2e/test_gate_graph.py)."""
from metaflow import FlowMutator, FlowSpec, Parameter, StepMutator, step


class robust_flow(FlowMutator):
    def mutate(self, mutable_flow):
        for _, mutable_step in mutable_flow.steps:
            mutable_step.add_decorator("retry", deco_kwargs={"times": 4})


class on_gpu(StepMutator):
    def mutate(self, mutable_step):
        mutable_step.add_decorator("resources", deco_kwargs={"gpu": 2, "memory": 24576})


@robust_flow
class MutatedFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5)

    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.train)

    @on_gpu
    @step
    def train(self):
        self.score = self.alpha * 2
        self.next(self.end)

    @step
    def end(self):
        print("score", self.score)


if __name__ == "__main__":
    MutatedFlow()

"""Mutators that put a step on another Batch queue: a FlowMutator adds @retry(times=4) to every step and a
StepMutator adds @batch(gpu=2, memory=24576, queue="flowgate-efa-gpu") to `train`. Such a flow cannot run locally
(the step would be submitted to AWS Batch), so e2e/test_mutators_vs_metaflow.py takes its record from Metaflow's
own `init` (what its Step Functions deployments run first) and compares with Metaflow's `step-functions create`."""
from metaflow import FlowMutator, FlowSpec, StepMutator, step


class robust_flow(FlowMutator):
    def mutate(self, mutable_flow):
        for _, mutable_step in mutable_flow.steps:
            mutable_step.add_decorator("retry", deco_kwargs={"times": 4})


class on_gpu_queue(StepMutator):
    def mutate(self, mutable_step):
        mutable_step.add_decorator("batch", deco_kwargs={"gpu": 2, "memory": 24576, "queue": "flowgate-efa-gpu"})


@robust_flow
class BatchMutatedFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.train)

    @on_gpu_queue
    @step
    def train(self):
        self.total = sum(self.items)
        self.next(self.end)

    @step
    def end(self):
        print("total", self.total)


if __name__ == "__main__":
    BatchMutatedFlow()

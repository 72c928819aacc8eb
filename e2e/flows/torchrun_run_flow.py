"""A @torchrun gang (metaflow-torchrun) as a data scientist writes it: every node runs torchrun through current.torch."""
from metaflow import FlowSpec, batch, current, step, torchrun


class TorchrunRunFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=3)

    @batch(cpu=1, memory=1024)
    @torchrun
    @step
    def train(self):
        current.torch.run(entrypoint="train.py", entrypoint_args={"epochs": 2})
        self.rank = current.parallel.node_index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.ranks = sorted(i.rank for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TorchrunRunFlow()

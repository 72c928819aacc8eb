"""train's memory comes from the environment at import: the compiler reads 8192, a run made with TRAIN_MEMORY set
recorded another value in its _graph_info, and the gate refuses to deploy what the run did not execute."""
import os

from metaflow import FlowSpec, resources, step

MEMORY = 8192
if "TRAIN_MEMORY" in os.environ:
    MEMORY = int(os.environ["TRAIN_MEMORY"])


class EnvMemoryFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @resources(memory=MEMORY)
    @step
    def train(self):
        self.memory = MEMORY
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    EnvMemoryFlow()

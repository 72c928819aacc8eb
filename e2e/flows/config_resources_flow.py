"""Decorator values from a Config: the compiler resolves them as Metaflow does, and the run's record agrees."""
from metaflow import Config, FlowSpec, resources, retry, step


class ConfigResourcesFlow(FlowSpec):
    train = Config("train", default_value={"cpu": 2, "memory": 6144, "retries": 1})

    @step
    def start(self):
        self.next(self.fit)

    @retry(times=train.retries)
    @resources(cpu=train.cpu, memory=train.memory)
    @step
    def fit(self):
        self.cpu = self.train.cpu
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ConfigResourcesFlow()

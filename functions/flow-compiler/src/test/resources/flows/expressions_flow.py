"""Decorator arguments written as Python expressions over module constants, as teams write them: annotated
constants (Final), names bound to constants, f-strings with format specs, arithmetic, the allow-listed builtins,
dict merges, ** spreading into a decorator, a conditional expression and a class-level constant."""
from typing import Final

from metaflow import FlowSpec, Parameter, environment, resources, retry, step, timeout

PROJECT = "ranking"
VERSION: int = 7
MEMORY: Final[int] = 12288
GPU_MEMORY = MEMORY * 2
RATE: Final = 0.25
RETRIES = 6
LARGE = VERSION > 5
SHARDS = ["eu", "us", "apac"]
BASE_RESOURCES = {"cpu": 2, "memory": 8192}
COMMON_ENV = {"PROJECT": PROJECT, "VERSION": str(VERSION)}
LABEL = f"{PROJECT}-v{VERSION:03d}"


class ExpressionsFlow(FlowSpec):
    STEP_CPU = 2

    alpha = Parameter("alpha", default=RATE * 2)
    label = Parameter("label", default=LABEL + "-" + SHARDS[0])

    @environment(vars={**COMMON_ENV, "RUN_LABEL": f"{LABEL}/{len(SHARDS)} shards", "MEMORY_GB": f"{MEMORY / 1024:.1f}"})
    @resources(memory=MEMORY, cpu=4 if LARGE else 1)
    @step
    def start(self):
        self.shards = SHARDS
        self.next(self.train, foreach="shards")

    @retry(times=min(RETRIES, 4))
    @timeout(minutes=round(2.5 * 4))
    @resources(**{**BASE_RESOURCES, "memory": int(GPU_MEMORY * 1.5)}, gpu=abs(-1))
    @step
    def train(self):
        self.result = self.input
        self.next(self.join)

    @resources(cpu=STEP_CPU * 2, memory=max(4096, MEMORY // 2))
    @step
    def join(self, inputs):
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ExpressionsFlow()

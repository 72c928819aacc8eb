# -*- coding: utf-8 -*-
"""Configs, included files and plain-module imports."""
import json
import metaflow
from metaflow import (
    Config,
    IncludeFile,
    Parameter,
    batch as b,
    environment,
    step,
)

MODE = "fast"


def helper(x: int) -> int:
    """A module-level helper; never run."""
    return x * 2


class ConfigFlow(metaflow.FlowSpec):
    """Class docstring mentioning self.next(self.nowhere)."""

    settings = Config("settings", default_value={"lr": 0.1})
    data = IncludeFile("data", default="data.csv", is_text=True)
    threshold = Parameter("threshold", default=3, type=int)
    colour = "blue"  # a plain class attribute

    @step
    def start(self):
        self.msg = f"{self.threshold!r:>10} {'a' if self.colour else 'b'}"
        self.rows = [r for r in self.data.splitlines() if r]
        self.next(self.process, foreach="rows")

    @environment(vars={"MODE": MODE, "LEVEL": "2"})
    @b(cpu=4, memory=16000, gpu=1, image="repo/img:1", efa=1,
       host_volumes=["/fsx"], shared_memory=2048)
    @step
    def process(self):
        self.out = helper(len(self.input))
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(json.dumps({"total": self.total}))


if __name__ == "__main__":
    ConfigFlow()

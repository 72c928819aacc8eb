"""Decorator arguments read from Configs: a default= JSON file next to the flow, default_value= literals."""
import os

from metaflow import (
    Config,
    FlowSpec,
    batch,
    config_expr,
    environment,
    project,
    resources,
    retry,
    step,
    timeout,
)


@project(name=config_expr("train.project"))
class ConfigDrivenFlow(FlowSpec):
    train = Config("train", default="configs/train_config.json")
    limits = Config("limits", default_value={"minutes": 20, "retries": 2, "queue": "flowgate-on-demand"})
    env = Config("env", default_value='{"MODE": "nightly"}')

    @resources(cpu=train.start.cpu, memory=train["start"]["memory"])
    @timeout(minutes=limits.minutes)
    @retry(times=config_expr("limits.retries"))
    @environment(vars={"MODE": env.MODE, "LR": config_expr("train").lr})
    @step
    def start(self):
        self.seen = {"lr": self.train.lr, "mode": self.env["MODE"], "project": self.train.project}
        self.environment_seen = {"MODE": os.environ.get("MODE"), "LR": os.environ.get("LR")}
        self.next(self.fit)

    @batch(image=train.image, queue=limits["queue"], gpu=config_expr("train.gpus[0]"))
    @step
    def fit(self):
        self.gpus = list(self.train.gpus)
        self.next(self.end)

    @step
    def end(self):
        print(self.seen, self.gpus)


if __name__ == "__main__":
    ConfigDrivenFlow()

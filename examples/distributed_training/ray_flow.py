"""A Ray cluster on a gang of nodes: node 0 is the head, the others join it (code only, not run here)."""
import subprocess
import time

from metaflow import FlowSpec, batch, current, parallel, step


class RayTuneFlow(FlowSpec):

    @step
    def start(self):
        self.next(self.tune, num_parallel=3)

    @parallel
    @batch(gpu=4, cpu=32, memory=240000, queue="flowgate-efa-gpu", host_volumes=["/fsx"])
    @step
    def tune(self):
        if current.parallel.node_index == 0:
            subprocess.run(["ray", "start", "--head", "--port=6379"], check=True)
            time.sleep(10)
            subprocess.run(["python", "tune.py", "--address", "auto"], check=True)
        else:
            subprocess.run(["ray", "start", f"--address={current.parallel.main_ip}:6379", "--block"], check=True)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RayTuneFlow()

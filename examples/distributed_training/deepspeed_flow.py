"""The same gang of GPU nodes, launched with DeepSpeed instead of torchrun (code only, not run here)."""
import subprocess

from metaflow import FlowSpec, batch, current, parallel, project, step


@project(name="llm_training")
class DeepSpeedTrainingFlow(FlowSpec):

    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @batch(gpu=8, cpu=96, memory=1100000, efa=4, shared_memory=65536, queue="flowgate-efa-gpu",
           host_volumes=["/fsx"])
    @step
    def train(self):
        if current.parallel.node_index == 0:
            hosts = "\n".join(f"node{i} slots=8" for i in range(current.parallel.num_nodes))
            with open("/tmp/hostfile", "w") as handle:
                handle.write(hosts)
        subprocess.run(["deepspeed", "--num_nodes", str(current.parallel.num_nodes),
                        "--node_rank", str(current.parallel.node_index),
                        "--master_addr", current.parallel.main_ip,
                        "train_zero3.py", "--deepspeed_config", "ds_config.json"], check=True)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DeepSpeedTrainingFlow()

"""Multi-node data-parallel training with PyTorch DDP (torchrun) on the EFA GPU queue.

`@parallel` makes `train` a gang of `num_parallel` nodes started together (an AWS Batch multi-node
parallel job); node 0 is the rendezvous host. Training data is read from FSx for Lustre, mounted on every
GPU host at /fsx and passed into the container with `host_volumes`.
This example is compiled and reviewed here, not run: it needs GPUs, EFA and FSx.
"""
import os
import subprocess

from metaflow import FlowSpec, Parameter, batch, current, parallel, project, step

NODES = 4
GPUS_PER_NODE = 8


@project(name="llm_training")
class TorchrunTrainingFlow(FlowSpec):
    """Fine-tunes a model on NODES x GPUS_PER_NODE GPUs."""

    dataset = Parameter("dataset", default="/fsx/datasets/instructions-v3", help="Path on the FSx mount")
    epochs = Parameter("epochs", default=1, type=int)

    @step
    def start(self):
        self.next(self.train, num_parallel=NODES)

    @parallel
    @batch(gpu=GPUS_PER_NODE, cpu=96, memory=1100000, efa=4, shared_memory=65536,
           queue="flowgate-efa-gpu", host_volumes=["/fsx"],
           image="public.ecr.aws/example/pytorch-training:2.5-cuda12")
    @step
    def train(self):
        """Every node runs torchrun; NCCL talks over EFA."""
        env = dict(os.environ, FI_PROVIDER="efa", FI_EFA_USE_DEVICE_RDMA="1", NCCL_DEBUG="WARN")
        command = [
            "torchrun",
            f"--nnodes={current.parallel.num_nodes}",
            f"--node_rank={current.parallel.node_index}",
            f"--nproc_per_node={GPUS_PER_NODE}",
            f"--master_addr={current.parallel.main_ip}",
            "--master_port=29500",
            "train.py", "--data", self.dataset, "--epochs", str(self.epochs),
        ]
        subprocess.run(command, env=env, check=True)
        self.node_index = current.parallel.node_index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.nodes_finished = sorted(i.node_index for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print("nodes finished:", self.nodes_finished)


if __name__ == "__main__":
    TorchrunTrainingFlow()

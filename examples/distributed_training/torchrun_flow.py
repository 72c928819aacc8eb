"""Multi-node data-parallel training with PyTorch DDP, launched by metaflow-torchrun's `@torchrun`, on the EFA GPU queue.

`@torchrun` (pip install metaflow-torchrun) is Metaflow's `@parallel` plus a launcher: `train` is a gang of
`num_parallel` nodes started together (an AWS Batch multi-node parallel job), and `current.torch.run` starts
`torchrun` on every node with the rendezvous arguments filled in (`--nnodes`, `--node_rank`, `--master_addr` =
node 0, `--master_port` = 3339 unless `@torchrun(master_port=...)`). Training data is read from FSx for Lustre,
mounted on every GPU host at /fsx and passed into the container with `host_volumes`.
This example is compiled and reviewed here, not run: it needs GPUs, EFA and FSx.
"""
from metaflow import FlowSpec, Parameter, batch, current, environment, project, step, torchrun

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

    @environment(vars={"FI_PROVIDER": "efa", "FI_EFA_USE_DEVICE_RDMA": "1", "NCCL_DEBUG": "WARN"})
    @batch(gpu=GPUS_PER_NODE, cpu=96, memory=1100000, efa=4, shared_memory=65536,
           queue="flowgate-efa-gpu", host_volumes=["/fsx"],
           image="public.ecr.aws/example/pytorch-training:2.5-cuda12")
    @torchrun
    @step
    def train(self):
        """Every node runs torchrun on train.py (shipped in the code package); NCCL talks over EFA."""
        current.torch.run(
            entrypoint="train.py",
            entrypoint_args={"data": self.dataset, "epochs": self.epochs},
            nproc_per_node=GPUS_PER_NODE,
        )
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

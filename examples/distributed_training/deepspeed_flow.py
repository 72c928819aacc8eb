"""The same gang of GPU nodes, launched with DeepSpeed by metaflow-deepspeed's `@deepspeed` (code only, not run here).

`@deepspeed` (pip install metaflow-deepspeed) is `@parallel` plus passwordless SSH between the nodes (an MPI
cluster: every node's key is exchanged through the datastore, `sshd` is restarted with it) and
`current.deepspeed.run`, which the control node (node 0) calls to start `deepspeed --hostfile ...` on all nodes,
with as many slots per host as the step's `@batch(gpu=...)`. The image needs DeepSpeed, OpenMPI and
openssh-server (and root or `@deepspeed(use_sudo=True)` to restart sshd).
"""
from metaflow import FlowSpec, batch, current, deepspeed, environment, project, step


@project(name="llm_training")
class DeepSpeedTrainingFlow(FlowSpec):

    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @environment(vars={"NCCL_SOCKET_IFNAME": "eth0", "FI_PROVIDER": "efa"})
    @batch(gpu=8, cpu=96, memory=1100000, efa=4, shared_memory=65536, queue="flowgate-efa-gpu",
           host_volumes=["/fsx"])
    @deepspeed
    @step
    def train(self):
        current.deepspeed.run(
            entrypoint="train_zero3.py",
            entrypoint_args={"deepspeed_config": "ds_config.json"},
        )
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DeepSpeedTrainingFlow()

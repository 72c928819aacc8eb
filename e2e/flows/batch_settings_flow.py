"""Every argument of Metaflow's @batch and @resources, written as teams write them (multi-line decorators, keyword
per line, trailing commas), so e2e/test_compiler_vs_metaflow.py can compare the container each step gets —
job definition and container overrides merged as AWS Batch merges them — with Metaflow's own `step-functions
create`. Never run: the settings ask for devices and file systems the test machine does not have."""
from metaflow import FlowSpec, batch, environment, resources, retry, step


class BatchSettingsFlow(FlowSpec):
    @batch(
        memory=2048,  # no @resources: Metaflow keeps 2048
        cpu=0.5,
    )
    @step
    def start(self):
        self.next(self.swap, self.devices)

    @batch(
        cpu=2,
        memory=8192,
        iam_role="arn:aws:iam::123456789012:role/flowgate-trainer",
        execution_role="arn:aws:iam::123456789012:role/flowgate-fargate",
        queue="flowgate-spot",
        image="repo/train:7",
        shared_memory=1024,
        max_swap=4096,
        swappiness=60,
        use_tmpfs=True,
        tmpfs_path="/scratch",
        privileged=True,
        log_driver="awslogs",
        log_options=["awslogs-group:/flowgate/batch", "awslogs-stream-prefix:train"],
        aws_batch_tags={"team": "ranking"},
    )
    @environment(vars={"MODE": "swap"})
    @retry(times=2)
    @step
    def swap(self):
        self.next(self.join)

    @resources(memory=16000, cpu=1, shared_memory=4096)
    @batch(
        memory=12288,
        cpu=4,
        gpu=1,
        shared_memory=2048,
        inferentia=2,
        efa=1,
        host_volumes=["/fsx", "/data/cache:/cache"],
        efs_volumes=["fs-0123456789abcdef0", "fs-0fedcba987654321f:/shared"],
        tmpfs_size=3000,
        tmpfs_tempdir=False,
    )
    @step
    def devices(self):
        self.next(self.join)

    @resources(cpu=0.25, memory=1024)
    @batch(
        trainium=1,
        use_tmpfs=True,
        tmpfs_size="512",
        log_driver="json-file",
    )
    @step
    def join(self, inputs):
        self.next(self.shm)

    @resources(
        shared_memory=512,
        memory=6144,
    )
    @step
    def shm(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BatchSettingsFlow()

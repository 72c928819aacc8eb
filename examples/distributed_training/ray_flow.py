"""A Ray cluster on a gang of nodes with metaflow-ray's `@metaflow_ray` (code only, not run here).

`@metaflow_ray` (pip install metaflow-ray) is `@parallel` plus a Ray cluster: every node starts Ray, node 0 as the
head on port 6379, the others join it, and the step's code runs on the head once all nodes have joined
(`ray.init()` finds the cluster); the workers wait until the head's step finishes. The image needs
`ray[default]`.
"""
from metaflow import FlowSpec, batch, metaflow_ray, step


class RayTuneFlow(FlowSpec):

    @step
    def start(self):
        self.next(self.tune, num_parallel=3)

    @batch(gpu=4, cpu=32, memory=240000, queue="flowgate-efa-gpu", host_volumes=["/fsx"])
    @metaflow_ray(all_nodes_started_timeout=600)
    @step
    def tune(self):
        import ray
        from tune import run_search  # tune.py, shipped in the code package

        ray.init()
        self.best = run_search(resources_per_trial={"gpu": 1})
        self.next(self.join)

    @step
    def join(self, inputs):
        self.best = [i.best for i in inputs if hasattr(i, "best")][0]
        self.next(self.end)

    @step
    def end(self):
        print("best:", self.best)


if __name__ == "__main__":
    RayTuneFlow()

from metaflow import FlowSpec, step, resources


class ResourcesFlow(FlowSpec):
    @resources(cpu=2, memory=16000, gpu=1)
    @step
    def start(self):
        self.next(self.half)

    @resources(cpu=0.5, memory="8192")
    @step
    def half(self):
        self.next(self.shm)

    @resources(shared_memory=1024, cpu=4.0)
    @step
    def shm(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ResourcesFlow()

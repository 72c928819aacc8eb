from metaflow import FlowSpec, Parameter, batch, catch, project, retry, schedule, step, timeout

WORKERS = 3


@schedule(hourly=True)
@project(name="fan_out")
class FanFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5)

    @step
    def start(self):
        self.items = list(range(WORKERS))
        self.next(self.square, foreach="items")

    @retry(times=2)
    @batch(cpu=2, memory=8000, queue="spot-queue", shared_memory=1024)
    @step
    def square(self):
        self.value = self.input ** 2
        self.parts = ["a", "b"]
        self.next(self.inner, foreach="parts")

    @catch(var="oops")
    @timeout(minutes=5)
    @step
    def inner(self):
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.value = inputs[0].value
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FanFlow()

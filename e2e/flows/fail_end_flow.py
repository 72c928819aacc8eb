from metaflow import FlowSpec, step


class FailEndFlow(FlowSpec):
    """end raises: the run's end step records attempt_ok False, so the run is failed at once."""

    @step
    def start(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        raise RuntimeError("failing the end step on purpose")


if __name__ == "__main__":
    FailEndFlow()

"""The smallest flow Flowgate deploys: three steps, one artifact."""
from metaflow import FlowSpec, step


class HelloFlow(FlowSpec):
    """Says hello from AWS Batch."""

    @step
    def start(self):
        self.greeting = "hello from Flowgate"
        self.next(self.hello)

    @step
    def hello(self):
        print(self.greeting)
        self.next(self.end)

    @step
    def end(self):
        print("done")


if __name__ == "__main__":
    HelloFlow()

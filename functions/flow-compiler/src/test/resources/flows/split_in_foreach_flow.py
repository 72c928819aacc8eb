"""Inside a foreach body a static split whose join is the body's last step; in one branch a foreach of its own."""
from metaflow import FlowSpec, step


class SplitInForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.item = self.input
        self.next(self.left, self.right)

    @step
    def left(self):
        self.parts = list(range(self.item))
        self.next(self.part, foreach="parts")

    @step
    def part(self):
        self.value = self.item * 10 + self.input
        self.next(self.parts_done)

    @step
    def parts_done(self, inputs):
        self.value = sum(i.value for i in inputs)
        self.item = inputs[0].item
        self.next(self.merge)

    @step
    def right(self):
        self.value = self.item
        self.next(self.merge)

    @step
    def merge(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.totals = sorted(i.total for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.totals)


if __name__ == "__main__":
    SplitInForeachFlow()

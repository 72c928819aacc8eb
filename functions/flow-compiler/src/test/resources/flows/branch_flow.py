"""A static split with a join; decorators imported under aliases."""
import metaflow
from metaflow import FlowSpec, step as st, resources as res, Parameter


class BranchFlow(FlowSpec):
    alpha: float = Parameter("alpha", help="a float", default=0.5, type=float)
    label = Parameter("label", default="x")

    @st
    def start(self):
        text = f"{self.alpha:.2f} {{braces}} and 'quotes'"  # self.next(self.nowhere) in a comment
        self.next(self.left, self.right)

    @res(cpu=2, memory=8000)
    @st
    def left(self):
        def helper(values):
            return [v * 2 for v in values if v]
        self.values = helper([1, 2, 3])
        self.next(self.merge)

    @metaflow.environment(vars={"MODE": "fast"})
    @st
    def right(self):
        """Docstring with self.next(self.end) inside."""
        self.values = {
            "a": 1,
            "b": [2, 3],
        }
        self.next(
            self.merge
        )

    @st
    def merge(self, inputs):
        self.merged = [i.values for i in inputs]; self.next(self.end)

    @st
    def end(self):
        pass


if __name__ == "__main__":
    BranchFlow()

from metaflow import FlowSpec, Parameter, step


class ParamsFlow(FlowSpec):
    """Parameters given on the command line become artifacts of every task."""

    alpha = Parameter("alpha", help="a float", default=0.5)
    label = Parameter("label", help="a string", default="default")

    @step
    def start(self):
        self.scaled = self.alpha * 2
        self.next(self.end)

    @step
    def end(self):
        self.message = "%s:%s" % (self.label, self.scaled)


if __name__ == "__main__":
    ParamsFlow()

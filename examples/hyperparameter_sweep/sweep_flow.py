"""A foreach hyper-parameter sweep: one Batch job per learning rate, then pick the best."""
from metaflow import FlowSpec, Parameter, batch, project, retry, step


@project(name="sweeps")
class SweepFlow(FlowSpec):
    """Trains one model per learning rate on spot capacity and keeps the best."""

    learning_rates = Parameter("learning_rates", help="Comma-separated learning rates",
                               default="0.001,0.003,0.01,0.03")
    epochs = Parameter("epochs", default=5, type=int)

    @step
    def start(self):
        self.grid = [float(x) for x in self.learning_rates.split(",")]
        self.next(self.train, foreach="grid")

    @retry(times=3)
    @batch(cpu=2, memory=4096, queue="flowgate-spot")
    @step
    def train(self):
        """Spot jobs can be reclaimed: @retry resubmits them."""
        self.learning_rate = self.input
        # a stand-in for real training: a loss that is lowest near 0.01
        self.loss = abs(self.learning_rate - 0.01) * 100 + 1.0 / self.epochs
        self.next(self.choose)

    @step
    def choose(self, inputs):
        best = min(inputs, key=lambda run: run.loss)
        self.best_learning_rate = best.learning_rate
        self.best_loss = best.loss
        self.next(self.end)

    @step
    def end(self):
        print(f"best learning rate {self.best_learning_rate} (loss {self.best_loss:.3f})")


if __name__ == "__main__":
    SweepFlow()

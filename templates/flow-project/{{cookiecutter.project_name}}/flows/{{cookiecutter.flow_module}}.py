"""{{ cookiecutter.flow_name }}: the first flow of {{ cookiecutter.project_name }} (team {{ cookiecutter.team }}).

Run it, tag the best run `prod_ready`, push to main: Flowgate deploys exactly that code to production.
"""
from metaflow import FlowSpec, Parameter, project, retry, step

from {{ cookiecutter.project_name }}.features import make_dataset, train_model, evaluate


@project(name="{{ cookiecutter.project_name }}")
class {{ cookiecutter.flow_name }}(FlowSpec):
    """Trains a small model and records its score as an artifact."""

    rows = Parameter("rows", help="How many training rows to generate", default=200, type=int)
    seed = Parameter("seed", help="Random seed, for reproducible runs", default=7, type=int)

    @step
    def start(self):
        """Build the training data."""
        self.dataset = make_dataset(self.rows, self.seed)
        self.next(self.train)

    @retry(times=2)
    @step
    def train(self):
        """Fit the model; retried on transient failures."""
        self.model = train_model(self.dataset)
        self.next(self.end)

    @step
    def end(self):
        """Score the model so runs can be compared before one is tagged prod_ready."""
        self.score = evaluate(self.model, self.dataset)
        print("score:", self.score)


if __name__ == "__main__":
    {{ cookiecutter.flow_name }}()

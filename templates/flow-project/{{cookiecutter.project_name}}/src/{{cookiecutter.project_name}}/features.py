"""Data and model helpers for {{ cookiecutter.flow_name }}; plain Python, unit-tested in tests/."""
import random


def make_dataset(rows, seed):
    """Returns `rows` pairs (x, y) with y = 3x + 1 plus a little noise."""
    if rows < 2:
        raise ValueError("rows must be at least 2")
    rng = random.Random(seed)
    return [(x, 3.0 * x + 1.0 + rng.uniform(-0.1, 0.1)) for x in (rng.uniform(0, 10) for _ in range(rows))]


def train_model(dataset):
    """Least-squares fit of y = a*x + b; returns (a, b)."""
    n = len(dataset)
    mean_x = sum(x for x, _ in dataset) / n
    mean_y = sum(y for _, y in dataset) / n
    var_x = sum((x - mean_x) ** 2 for x, _ in dataset)
    if var_x == 0:
        raise ValueError("all x values are equal; cannot fit a slope")
    a = sum((x - mean_x) * (y - mean_y) for x, y in dataset) / var_x
    return a, mean_y - a * mean_x


def evaluate(model, dataset):
    """Mean absolute error of the model on the dataset (lower is better)."""
    a, b = model
    return sum(abs(a * x + b - y) for x, y in dataset) / len(dataset)

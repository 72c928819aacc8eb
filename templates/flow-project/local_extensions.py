"""Jinja filters of the Flowgate project template.

`flowgate new-project` (Java) implements the same filters; a test renders the template both ways and
compares the trees byte for byte.
"""
import re

from cookiecutter.utils import simple_filter


@simple_filter
def snake_case(value):
    """ChurnTrainingFlow -> churn_training_flow; HTTPFlow2 -> http_flow2."""
    value = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", value)
    value = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", value)
    return value.lower()

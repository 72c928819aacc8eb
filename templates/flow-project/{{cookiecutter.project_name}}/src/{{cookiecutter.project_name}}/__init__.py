"""{{ cookiecutter.project_name }}: the code the flows import.

METAFLOW_PACKAGE_POLICY = "include" makes Metaflow put this package into the code package of every run,
so remote steps (AWS Batch, Step Functions) import exactly the code that ran.
"""
METAFLOW_PACKAGE_POLICY = "include"

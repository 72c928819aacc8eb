"""Refuses names that Metaflow, @project or Flowgate would reject later, before any file is written.

The same rules live in Java (flowgate new-project) and in Flowgate's shared model.
"""
import keyword
import re
import sys

ERRORS = []


def check(field, value, pattern, explanation):
    if not re.fullmatch(pattern, value) or keyword.iskeyword(value):
        ERRORS.append("%s '%s' is invalid: %s" % (field, value, explanation))


check("team", "{{ cookiecutter.team }}", r"[a-z][a-z0-9-]{0,62}",
      "use lowercase letters, digits and dashes, starting with a letter (e.g. ml-platform)")
check("project_name", "{{ cookiecutter.project_name }}", r"[a-z][a-z0-9_]{0,127}",
      "@project names use lowercase letters, digits and underscores, starting with a letter (e.g. churn_model)")
check("flow_name", "{{ cookiecutter.flow_name }}", r"[A-Z][A-Za-z0-9]*Flow",
      "a flow is a Python class in CamelCase ending in 'Flow' (e.g. ChurnTrainingFlow)")
check("alert_channel", "{{ cookiecutter.alert_channel }}", r"#[a-z0-9][a-z0-9_-]{0,79}",
      "a Slack channel starts with '#' followed by lowercase letters, digits, '-' or '_' (e.g. #ml-alerts)")

if ERRORS:
    for error in ERRORS:
        print("error: " + error, file=sys.stderr)
    sys.exit(1)

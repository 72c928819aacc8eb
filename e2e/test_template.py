"""The project template renders identically with cookiecutter and with `flowgate new-project` (Java),
refuses bad names the same way, and produces a project whose own tests pass."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "flow-project"
CLI_JAR = ROOT / "functions" / "cli" / "target" / "flowgate-cli.jar"
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"

CASES = [
    {},
    {"team": "risk", "project_name": "fraud2", "flow_name": "HTTPScoreFlow", "alert_channel": "#risk-alerts"},
]


def render_with_cookiecutter(out, values):
    args = [str(COOKIECUTTER), "--no-input", "-o", str(out), str(TEMPLATE)] + [f"{k}={v}" for k, v in values.items()]
    return subprocess.run(args, capture_output=True, text=True)


def render_with_flowgate(out, values):
    if not CLI_JAR.exists():
        pytest.fail(f"{CLI_JAR} is missing: build it with `mvn -pl functions/cli -am package`")
    args = ["java", "-jar", str(CLI_JAR), "new-project", "--no-input", "-o", str(out)]
    args += [f"{k}={v}" for k, v in values.items()]
    return subprocess.run(args, capture_output=True, text=True, env={**os.environ, "FLOWGATE_HOME": str(ROOT)})


def tree(root):
    """path -> (bytes, executable) for every file below root."""
    result = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            result[str(path.relative_to(root))] = (path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return result


@pytest.mark.parametrize("values", CASES, ids=["defaults", "custom"])
def test_template_renders_identically_with_cookiecutter_and_flowgate(tmp_path, values):
    by_cookiecutter = render_with_cookiecutter(tmp_path / "cc", values)
    assert by_cookiecutter.returncode == 0, by_cookiecutter.stderr
    by_flowgate = render_with_flowgate(tmp_path / "fg", values)
    assert by_flowgate.returncode == 0, by_flowgate.stderr

    expected, actual = tree(tmp_path / "cc"), tree(tmp_path / "fg")
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs"
    assert any(name.startswith(values.get("project_name", "churn_model") + "/flows/") for name in expected)


def test_bad_names_are_refused_by_both_and_nothing_is_written(tmp_path):
    bad = {"project_name": "Churn-Model", "flow_name": "train"}
    by_cookiecutter = render_with_cookiecutter(tmp_path / "cc", bad)
    by_flowgate = render_with_flowgate(tmp_path / "fg", bad)
    assert by_cookiecutter.returncode != 0
    assert by_flowgate.returncode == 2
    for output in (by_cookiecutter.stderr, by_flowgate.stderr):
        assert "project_name 'Churn-Model' is invalid" in output
        assert "flow_name 'train' is invalid" in output
    assert not (tmp_path / "fg").exists() or not any((tmp_path / "fg").iterdir())


def test_rendered_project_tests_pass_and_flow_parses(tmp_path):
    assert render_with_flowgate(tmp_path, {}).returncode == 0
    project = tmp_path / "churn_model"
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                           capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "11 passed" in tests.stdout
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "METAFLOW_HOME": str(tmp_path / "mfhome"),
           "USERNAME": "e2e", "METAFLOW_DEFAULT_METADATA": "local"}
    show = subprocess.run([sys.executable, "flows/churn_training_flow.py", "show"], cwd=project,
                          capture_output=True, text=True, env=env)
    assert show.returncode == 0, show.stderr
    assert "Step start" in show.stdout and "Step train" in show.stdout

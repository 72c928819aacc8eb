"""Attacks on the production gate through values that reach a container's shell (issue 12, item 5).

- A parameter value `$(touch <tmp>/pwned)` in the execution input reaches the step verbatim, and nothing executes
  (Metaflow's own Step Functions deployment sources `export METAFLOW_INIT_X="<json>"` lines, where it would).
- A code package location that a shell could read (the issue's `...';touch$IFS/tmp/x;'`), or one outside the
  team's datastore, is refused when compiling, naming the reason; nothing is written.
The deploy-level refusal of such a recorded location (nothing compiled, deployed or published) is proven in
functions/deployer DeploymentPipelineTest.deploy_whenTheRunsRecordedLocationCouldReachAShell_refusesNamingIt_andDeploysNothing.
"""
import json
import subprocess

from conftest import ROOT
from test_compiled_flows_run import JAR, deployment, job_log_tail, read_run, run_compiled  # noqa: F401 (fixture)

PARAMS_FLOW = ROOT / "e2e" / "flows" / "params_flow.py"


def test_a_parameter_value_with_command_substitution_arrives_verbatim_and_executes_nothing(deployment, tmp_path):
    target = tmp_path / "pwned"
    hostile = f"$(touch {target}) `touch {target}` ';touch {target};' \"$IFS\" é"
    name, execution, error = run_compiled(deployment, PARAMS_FLOW, {"label": hostile, "alpha": 1.5})
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"ParamsFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "label": run["start"].task["label"].data,
                  "message": run["end"].task["message"].data}))""")
    assert run["ok"]
    assert run["label"] == hostile
    assert run["message"] == hostile + ":3.0"
    assert not target.exists(), "the parameter value was executed by a shell"


def _compile(deployment, code_url, *extra):
    return subprocess.run(["java", "-jar", str(JAR), "compile", str(PARAMS_FLOW), "--settings",
                           str(deployment["work"] / "settings.json"), "--code-url", code_url, "--production", *extra],
                          capture_output=True, text=True, timeout=120)


def test_a_code_package_location_a_shell_could_read_is_refused_with_the_reason(deployment, tmp_path):
    bucket = json.loads((deployment["work"] / "settings.json").read_text())["METAFLOW_DATASTORE_SYSROOT_S3"].split("/")[2]
    out = tmp_path / "definition.json"
    for url, reason in [
        (f"s3://{bucket}/metaflow/ParamsFlow/data/ab/abc';touch$IFS/tmp/x;'", "letters, digits and _.-/ only"),
        (f"s3://{bucket}/metaflow/ParamsFlow/data/ab/abc$(id)", "letters, digits and _.-/ only"),
        ("s3://someone-elses-bucket/metaflow/ParamsFlow/data/ab/abc", "datastore bucket"),
        (f"s3://{bucket}/uploads/ParamsFlow/data/ab/abc", "neither under the datastore root"),
    ]:
        compiled = _compile(deployment, url, "--job-definitions-out", str(out))
        assert compiled.returncode == 2, compiled.stdout[-500:]
        assert "code package URL" in compiled.stderr and reason in compiled.stderr, compiled.stderr
        assert "Exception" not in compiled.stderr and not out.exists()
    bad_digest = _compile(deployment, f"s3://{bucket}/metaflow/ParamsFlow/data/ab/abc", "--code-sha256", "abc;id")
    assert bad_digest.returncode == 2 and "64 lowercase hexadecimal digits" in bad_digest.stderr

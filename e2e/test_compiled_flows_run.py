"""Flowgate's compiled state machines, run for real: every Batch job's container command executes Metaflow.

Each flow's code package is made by the real Metaflow (`package save`) and put in S3 (moto); Flowgate compiles
the flow against the platform's metadata API, moto's S3 and a DynamoDB table; `asl_runner` walks the states
and runs each Batch job's command (see its docstring for what it models). The run is then read back with the
real Metaflow client from the metadata service and the datastore — the same way a data scientist would — and
its steps, tasks and artifacts must be what the flow computes. This is the only test in which the generated
commands, inputs paths, foreach bookkeeping, switch records and @parallel gangs actually run.
"""
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid

import boto3
import pytest

from asl_runner import Execution, StatesError, load_input
from conftest import API_KEY, FLOWS as E2E_FLOWS, PRODUCTION_KEY, PYTHON, ROOT

CORPUS = ROOT / "functions" / "flow-compiler" / "src" / "test" / "resources" / "flows"
JAR = ROOT / "functions" / "flow-compiler" / "target" / "flow-compiler-lambda.jar"
BUCKET = "flowgate-run-datastore"
TABLE = "flowgate-run-sfn"
AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def deployment(moto_url, platform_url, tmp_path_factory):
    """Settings, AWS environment and a working directory shared by the flows of this module."""
    aws = dict(AWS, AWS_ENDPOINT_URL=moto_url)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    s3 = session.client("s3", endpoint_url=moto_url)
    s3.create_bucket(Bucket=BUCKET)
    session.client("dynamodb", endpoint_url=moto_url).create_table(
        TableName=TABLE, KeySchema=[{"AttributeName": "pathspec", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pathspec", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    work = tmp_path_factory.mktemp("compiled-runs")
    settings = {
        "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{BUCKET}/metaflow",
        "METAFLOW_SERVICE_URL": platform_url,
        "METAFLOW_BATCH_JOB_QUEUE": "arn:aws:batch:us-east-1:123456789012:job-queue/flowgate-on-demand",
        "METAFLOW_BATCH_CONTAINER_IMAGE": "python:3.11",
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": "arn:aws:iam::123456789012:role/flowgate-batch-job",
        "METAFLOW_SFN_DYNAMO_DB_TABLE": TABLE,
        "METAFLOW_S3_ENDPOINT_URL": moto_url,
        # production jobs authenticate as the production caller (only it may send production:<token> system tags)
        # with a key that job definitions name by ARN: Batch (here asl_runner) reads it from Secrets Manager
        "METAFLOW_SERVICE_AUTH_KEY_SECRET_ARN": session.client("secretsmanager", endpoint_url=moto_url).create_secret(
            Name="flowgate-e2e-production-jobs-key-" + uuid.uuid4().hex[:6], SecretString=PRODUCTION_KEY)["ARN"],
        "METAFLOW_BATCH_EXECUTION_ROLE": "arn:aws:iam::123456789012:role/flowgate-batch-execution",
    }
    (work / "settings.json").write_text(json.dumps(settings))
    home = work / "metaflow-home"
    home.mkdir()
    client_env = {**os.environ, **aws, "METAFLOW_HOME": str(home), "USERNAME": "flowgate-e2e",
                  "METAFLOW_SERVICE_URL": platform_url, "METAFLOW_DEFAULT_METADATA": "service", "METAFLOW_SERVICE_AUTH_KEY": API_KEY,
                  "METAFLOW_DEFAULT_DATASTORE": "s3", "METAFLOW_DATASTORE_SYSROOT_S3": settings["METAFLOW_DATASTORE_SYSROOT_S3"],
                  "METAFLOW_S3_ENDPOINT_URL": moto_url}
    return {"aws": aws, "s3": s3, "work": work, "client_env": client_env}


def run_compiled(deployment, flow, parameters=None, extra_args=(), execution_input=None, package_env=None, job_env=None):
    """Packages, compiles and runs the flow; returns (execution name, Execution, error or None).

    `package_env` is added to the environment Metaflow packages the flow in (the data scientist's machine),
    `job_env` to every Batch job's (what the image provides)."""
    work = deployment["work"] / (flow.stem + "-" + uuid.uuid4().hex[:6])
    work.mkdir()
    package = work / "job.tar"
    subprocess.run([PYTHON, flow.name, "--no-pylint", "--datastore=s3", "package", "save", str(package)],
                   cwd=flow.parent, env={**deployment["client_env"], **(package_env or {})}, check=True, capture_output=True,
                   timeout=180)
    data = package.read_bytes()
    sha = hashlib.sha1(data).hexdigest()
    key = f"metaflow/{flow.stem}/data/{sha[:2]}/{sha}"
    deployment["s3"].put_object(Bucket=BUCKET, Key=key, Body=data)
    compiled = subprocess.run(["java", "-jar", str(JAR), "compile", str(flow), "--settings",
                               str(deployment["work"] / "settings.json"), "--code-url", f"s3://{BUCKET}/{key}",
                               "--code-sha", sha, "--code-sha256", hashlib.sha256(data).hexdigest(), "--production", "--job-definitions-out", str(work / "jobs.json"),
                               *extra_args], capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stderr
    # the jobs' key is named by ARN in the job definitions and is in no definition in plain text
    assert PRODUCTION_KEY not in compiled.stdout and PRODUCTION_KEY not in (work / "jobs.json").read_text()
    # IncludeFile defaults: upload them where the compiled flow reads them, as the deployer does
    for parameter, default, url in re.findall(r"note: IncludeFile '(\w+)' default (\S+) is read from (\S+)", compiled.stderr):
        bucket, key = url[len("s3://"):].split("/", 1)
        deployment["s3"].put_object(Bucket=bucket, Key=key, Body=gzip.compress((flow.parent / default).read_bytes()))
    name = "e2e-" + uuid.uuid4().hex[:12]
    env = dict(deployment["aws"], HOME=os.environ.get("HOME", str(work)), PATH=os.environ["PATH"],
               METAFLOW_HOME=str(work), **(job_env or {}))
    execution = Execution(json.loads(compiled.stdout), json.loads((work / "jobs.json").read_text()), name, env,
                          str(work), os.path.dirname(PYTHON), log=lambda line: None)
    try:
        execution.run(execution_input if execution_input is not None else load_input(parameters))
        return name, execution, None
    except StatesError as error:
        return name, execution, error


def read_run(deployment, pathspec, code):
    """Runs `code` (with `run` bound to the Metaflow client's Run) and returns the JSON it prints."""
    script = ("import json\nfrom metaflow import Run, namespace\nnamespace(None)\nrun = Run(%r)\n" % pathspec) + code
    out = subprocess.run([PYTHON, "-c", script], env=deployment["client_env"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def job_log_tail(execution):
    failed = [job for job in execution.jobs if job[2] != 0]
    if not failed:
        return ""
    with open(os.path.join(failed[-1][4], "job.log"), errors="replace") as log:
        return log.read()[-3000:]


def test_linear_flow_runs_every_step_with_batch_job_ids_as_task_ids(deployment):
    name, execution, error = run_compiled(deployment, ROOT / "examples" / "hello_world" / "hello_flow.py")
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"HelloFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "steps": sorted(s.id for s in run),
                  "task": run["hello"].task.id, "greeting": run["hello"].task["greeting"].data,
                  "tags": sorted(run.system_tags)}))""")
    assert run["ok"] and run["steps"] == ["end", "hello", "start"]
    assert run["task"] in {job[1] for job in execution.jobs}, "the task id is the Batch job id"
    assert run["greeting"] == "hello from Flowgate"
    assert "runtime:step-functions" in run["tags"]


def test_deployment_tags_are_on_the_run_and_every_task(deployment):
    """`--tag` (Metaflow's `step-functions create --tag`): the run and each of its tasks carry the tags."""
    name, execution, error = run_compiled(deployment, ROOT / "examples" / "hello_world" / "hello_flow.py",
                                          extra_args=("--tag", "team:ranking", "--tag", "nightly run"))
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"HelloFlow/sfn-{name}", """
print(json.dumps({"run": sorted(run.user_tags), "tasks": [sorted(s.task.user_tags) for s in run]}))""")
    assert run["run"] == ["nightly run", "team:ranking"]
    assert run["tasks"] == [["nightly run", "team:ranking"]] * 3


def test_static_split_joins_both_branches_and_reads_parameters_from_the_execution_input(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "branch_flow.py", {"alpha": 0.25})
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"BranchFlow/sfn-{name}", """
merge = run["merge"].task
print(json.dumps({"ok": run.successful, "alpha": run["start"].task["alpha"].data,
                  "parents": sorted(t.pathspec.split("/")[2] for t in merge.parent_tasks)}))""")
    assert run["ok"]
    assert run["alpha"] == 0.25, "the execution input's parameter value, not the default 0.5"
    assert run["parents"] == ["left", "right"]


def test_nested_foreach_fans_out_and_joins_through_the_dynamodb_bookkeeping(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "foreach_flow.py")
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"FanFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "total": run["gather"].task["total"].data,
                  "squares": len(list(run["square"])), "inner": len(list(run["inner"]))}))""")
    assert run == {"ok": True, "total": 0 + 1 + 4, "squares": 3, "inner": 6}


@pytest.mark.parametrize("distributed", [False, True])
def test_a_split_joined_right_before_the_foreach_join_runs_with_a_foreach_in_one_branch(deployment, distributed):
    """Issue 13: the static join `merge` ends the foreach body, so its input is the Parallel state's array; it used
    to read the foreach's split parent from `$.Parameters` and every execution failed with States.Runtime."""
    extra = ("--use-distributed-map", "--max-workers", "100") if distributed else ()
    name, execution, error = run_compiled(deployment, CORPUS / "split_in_foreach_flow.py", extra_args=extra)
    assert error is None, f"{error}\n{job_log_tail(execution)}"
    run = read_run(deployment, f"SplitInForeachFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "totals": run["gather"].task["totals"].data,
                  "merges": len(list(run["merge"])), "parts": len(list(run["part"]))}))""")
    # item i: the left branch's inner foreach sums 10*i + p over p < i, the right branch gives i
    assert run == {"ok": True, "totals": [11, 43, 96], "merges": 3, "parts": 1 + 2 + 3}


def test_a_switch_inside_a_foreach_takes_each_splits_own_case(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "switch_in_foreach_flow.py")
    assert error is None, f"{error}\n{job_log_tail(execution)}"
    run = read_run(deployment, f"SwitchInForeachFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "costs": run["collect"].task["costs"].data,
                  "heavy": len(list(run["heavy"])), "light": len(list(run["light"]))}))""")
    # sizes 1, 8, 3, 12: the big ones split in two shards costing their size each, the small ones cost 1
    assert run == {"ok": True, "costs": [1, 1, 16, 24], "heavy": 2, "light": 2}


@pytest.mark.parametrize("size, chosen", [(10, "heavy"), (1, "light")])
def test_switch_takes_the_step_the_flow_chose(deployment, size, chosen):
    name, execution, error = run_compiled(deployment, CORPUS / "switch_flow.py", {"size": size})
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"SwitchFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "steps": sorted(s.id for s in run), "result": run["report"].task["result"].data}))""")
    other = {"heavy": "light", "light": "heavy"}[chosen]
    assert run["ok"] and run["result"] == chosen
    assert other not in run["steps"], "the branch not chosen never runs"


def test_parallel_step_runs_as_a_gang_of_nodes_and_the_join_sees_every_rank(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "parallel_flow.py")
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"GangFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "ranks": sorted(run["join"].task["ranks"].data),
                  "tasks": sorted(t.id.split("-")[0] for t in run["train"])}))""")
    assert run["ok"] and run["ranks"] == [0, 1, 2]
    assert len(run["tasks"]) == 3 and run["tasks"].count("control") == 1, "one control task and two workers"


TORCHRUN_EXTENSION = "metaflow-torchrun==0.2.2"  # 15 kB, pure Python, no dependencies (it never installs torch)

# Stands in for PyTorch in the "image": `python -m torch.distributed.run ARGS` (what current.torch.run starts on every
# node) records its arguments and the node it ran on, instead of training.
FAKE_TORCH_RUN = """import json, os, sys, uuid
record = {"argv": sys.argv[1:], "node": os.environ.get("AWS_BATCH_JOB_NODE_INDEX")}
with open(os.path.join(os.environ["FAKE_TORCHRUN_RECORDS"], uuid.uuid4().hex + ".json"), "w") as out:
    json.dump(record, out)
"""


@pytest.fixture(scope="module")
def torchrun_extension(tmp_path_factory):
    """metaflow-torchrun installed where the data scientist packages the flow, and a stand-in torch for the image."""
    root = tmp_path_factory.mktemp("torchrun")
    extension = root / "site"
    installed = subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(extension),
                                TORCHRUN_EXTENSION], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, "pip install %s (from the package registry) failed: %s" % (TORCHRUN_EXTENSION, installed.stderr)
    image = root / "image"
    (image / "torch" / "distributed").mkdir(parents=True)
    (image / "torch" / "__init__.py").write_text("")
    (image / "torch" / "distributed" / "__init__.py").write_text("")
    (image / "torch" / "distributed" / "run.py").write_text(FAKE_TORCH_RUN)
    records = root / "records"
    records.mkdir()
    return {"extension": extension, "image": image, "records": records}


def test_torchrun_step_runs_as_a_gang_and_every_node_gets_the_rendezvous_arguments(deployment, torchrun_extension):
    ext = torchrun_extension
    # the extension reaches the containers in Metaflow's code package (Metaflow packages every installed extension);
    # the jobs' own PYTHONPATH has only the stand-in torch
    name, execution, error = run_compiled(deployment, E2E_FLOWS / "torchrun_run_flow.py",
                                          package_env={"PYTHONPATH": str(ext["extension"])},
                                          job_env={"PYTHONPATH": str(ext["image"]), "FAKE_TORCHRUN_RECORDS": str(ext["records"])})
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"TorchrunRunFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "ranks": run["join"].task["ranks"].data,
                  "tasks": sorted(t.id.split("-")[0] for t in run["train"])}))""")
    assert run["ok"] and run["ranks"] == [0, 1, 2]
    assert len(run["tasks"]) == 3 and run["tasks"].count("control") == 1, "one control task and two workers"
    records = [json.loads(p.read_text()) for p in ext["records"].iterdir()]
    assert sorted(r["node"] for r in records) == ["0", "1", "2"], "torchrun ran once on every node"
    for record in records:
        argv = record["argv"]
        options = dict(zip(argv[0:-3:2], argv[1:-3:2]))
        assert options == {"--nnodes": "3", "--master_addr": "127.0.0.1", "--master_port": "3339",
                           "--node_rank": record["node"], "--nproc_per_node": "1",
                           "--rdzv_endpoint": "127.0.0.1:3339"}, argv
        assert argv[-3:] == ["train.py", "--epochs", "2"], "the entrypoint and its arguments follow"


def test_inherited_flow_runs_the_overriding_step_the_mixin_step_and_the_subclass_parameter_default(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "inherited_flow.py", {"shards": 4})
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"InheritedFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "steps": sorted(s.id for s in run), "alpha": run["start"].task["alpha"].data,
                  "evaluated": len(list(run["evaluate"])), "summary": run["report"].task["summary"].data}))""")
    # TunedTrainFlow's train and evaluate, BaseTrainFlow's join, the mixin's report, InheritedFlow's alpha=3
    assert run == {"ok": True, "steps": ["end", "evaluate", "join", "report", "start", "train"], "alpha": 3,
                   "evaluated": 4, "summary": "tuned scored 30"}


def test_retry_and_catch_behave_as_in_metaflow(deployment):
    name, execution, error = run_compiled(deployment, E2E_FLOWS / "resilient_run_flow.py")
    assert error is None, job_log_tail(execution)
    attempts = {}
    for state, _, code, attempt, _ in execution.jobs:
        attempts.setdefault(state, []).append((attempt, code))
    assert attempts["flaky"] == [(1, 1), (2, 0)], "the first attempt fails, Batch retries it"
    assert attempts["doomed"] == [(1, 0)], "with no retries left, @catch records the exception in the same attempt"
    run = read_run(deployment, f"ResilientRunFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "summary": run["end"].task["summary"].data}))""")
    assert run["ok"] and run["summary"]["attempt"] == 1
    assert "this step always fails" in run["summary"]["caught"]


def test_distributed_map_runs_each_split_and_the_join_finds_them_all(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "distributed_foreach_flow.py", {"shards": 6},
                                          extra_args=("--use-distributed-map", "--max-workers", "1000"))
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"WideFlow/sfn-{name}", """
print(json.dumps({"ok": run.successful, "odd": run["collect"].task["odd_shards"].data,
                  "scored": len(list(run["score"])), "odd_steps": len(list(run["odd"])), "even_steps": len(list(run["even"]))}))""")
    assert run == {"ok": True, "odd": 3, "scored": 6, "odd_steps": 3, "even_steps": 3}


def test_include_file_default_and_config_reach_the_steps(deployment):
    name, execution, error = run_compiled(deployment, CORPUS / "config_flow.py")
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"ConfigFlow/sfn-{name}", """
start = run["start"].task
print(json.dumps({"ok": run.successful, "rows": start["rows"].data, "total": run["join"].task["total"].data,
                  "settings": dict(start["settings"].data)}))""")
    rows = (CORPUS / "data.csv").read_text().splitlines()
    assert run["ok"] and run["rows"] == rows, "the IncludeFile default, uploaded at deploy time, is the data"
    assert run["total"] == sum(2 * len(row) for row in rows)
    assert run["settings"] == {"lr": 0.1}, "the Config's default_value"


def test_a_triggered_run_sees_the_upstream_run_as_current_trigger(deployment):
    upstream, execution, error = run_compiled(deployment, ROOT / "examples" / "hello_world" / "hello_flow.py")
    assert error is None, job_log_tail(execution)
    arn = "arn:aws:states:us-east-1:123456789012:"
    finished = {"Parameters": "{}", "flowgate_trigger": {"type": "trigger_on_finish",
                "upstream_state_machine_arn": arn + "stateMachine:HelloFlow",
                "upstream_execution_arn": arn + "execution:HelloFlow:" + upstream}}
    name, execution, error = run_compiled(deployment, E2E_FLOWS / "triggered_flow.py", execution_input=finished)
    assert error is None, job_log_tail(execution)
    run = read_run(deployment, f"TriggeredFlow/sfn-{name}", """
start = run["start"].task
print(json.dumps({"upstream": start["upstream"].data, "greeting": start["upstream_greeting"].data,
                  "at_end": run["end"].task["upstream_at_end"].data}))""")
    assert run == {"upstream": f"HelloFlow/sfn-{upstream}", "greeting": "hello from Flowgate",
                   "at_end": f"HelloFlow/sfn-{upstream}"}, "every step sees current.trigger"

    name, execution, error = run_compiled(deployment, E2E_FLOWS / "triggered_flow.py")
    assert error is None, job_log_tail(execution)
    manual = read_run(deployment, f"TriggeredFlow/sfn-{name}", """
print(json.dumps({"upstream": run["start"].task["upstream"].data, "at_end": run["end"].task["upstream_at_end"].data}))""")
    assert manual == {"upstream": None, "at_end": None}, "started by hand: no trigger, as when run locally without --trigger"


def test_several_upstream_flows_start_the_flow_once_all_of_them_finished(deployment):
    flow = CORPUS / "trigger_on_all_flow.py"
    arn = "arn:aws:states:us-east-1:123456789012:"
    upstream_runs = {}
    for upstream in ["FeatureFlow", "LabelFlow"]:
        name, execution, error = run_compiled(deployment, E2E_FLOWS / (upstream[:-4].lower() + "_flow.py"))
        assert error is None, job_log_tail(execution)
        upstream_runs[upstream] = name

    def finished(upstream):
        # the input the EventBridge rule gives when an upstream execution succeeds
        machine = "reports.prod." + upstream
        return {"Parameters": "{}", "flowgate_trigger": {"type": "trigger_on_finish",
                "upstream_state_machine_arn": arn + "stateMachine:" + machine,
                "upstream_execution_arn": arn + "execution:" + machine + ":" + upstream_runs[upstream]}}

    ran = []
    for upstream in ["FeatureFlow", "FeatureFlow", "LabelFlow", "LabelFlow"]:
        name, execution, error = run_compiled(deployment, flow, execution_input=finished(upstream))
        assert error is None, job_log_tail(execution)
        ran.append([job[0] for job in execution.jobs])
    assert ran == [[], [], ["start", "end"], []], "runs once both finished, then waits for both again"

    name, execution, error = run_compiled(deployment, flow)
    assert error is None and [job[0] for job in execution.jobs] == ["start", "end"], "a manual start runs at once"


def test_config_values_set_the_decorators_and_the_steps_read_the_same_config(deployment):
    """config_driven_flow.py: @environment/@resources/@batch/@project values come from Configs (a JSON file next to
    the flow and default_value= literals); the steps read the Configs themselves from the code package
    (METAFLOW_FLOW_CONFIG_VALUE kv.<name>)."""
    name, execution, error = run_compiled(deployment, CORPUS / "config_driven_flow.py")
    assert error is None, f"{error}\n{job_log_tail(execution)}"
    data = read_run(deployment, f"ConfigDrivenFlow/sfn-{name}",
                    "print(json.dumps({'seen': run['start'].task.data.seen, 'env': run['start'].task.data.environment_seen,"
                    " 'gpus': run['fit'].task.data.gpus, 'tags': sorted(run.tags)}))")
    assert data["seen"] == {"lr": "0.01", "mode": "nightly", "project": "ranking"}
    assert data["env"] == {"MODE": "nightly", "LR": "0.01"}
    assert data["gpus"] == [1, 2]
    assert "project:ranking" in data["tags"] and "project_branch:prod" in data["tags"]


def _hook_output(execution):
    lines = []
    for state, _, _, _, directory in execution.jobs:
        if state.startswith("exit_hook:"):
            with open(os.path.join(directory, "job.log"), errors="replace") as log:
                lines += [line.strip() for line in log if "HOOK " in line and "print(" not in line]
    return lines


def test_exit_hooks_run_after_success_and_a_failing_hook_changes_nothing(deployment):
    name, execution, error = run_compiled(deployment, E2E_FLOWS / "exit_hook_run_flow.py", {"fail": 0})
    assert error is None, job_log_tail(execution)
    hooks = [job[0] for job in execution.jobs if job[0].startswith("exit_hook:")]
    assert hooks == ["exit_hook:on_success:broken_hook", "exit_hook:on_success:report_success"]
    assert _hook_output(execution) == [f"HOOK on_success HookedFlow/sfn-{name} successful=True"]


def test_exit_hooks_run_after_a_failure_and_the_execution_still_fails(deployment):
    name, execution, error = run_compiled(deployment, E2E_FLOWS / "exit_hook_run_flow.py", {"fail": 1})
    assert error is not None and error.error == "Flowgate.States.TaskFailed", error
    hooks = [job[0] for job in execution.jobs if job[0].startswith("exit_hook:")]
    assert hooks == ["exit_hook:on_error:broken_hook", "exit_hook:on_error:report_failure"]
    assert _hook_output(execution) == [f"HOOK on_error HookedFlow/sfn-{name} successful=False"]


def test_a_failing_step_fails_the_execution(deployment, tmp_path):
    flow = tmp_path / "broken_flow.py"
    flow.write_text("from metaflow import FlowSpec, step\n\n\nclass BrokenFlow(FlowSpec):\n    @step\n"
                    "    def start(self):\n        raise RuntimeError('boom')\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n\n\nif __name__ == '__main__':\n    BrokenFlow()\n")
    name, execution, error = run_compiled(deployment, flow)
    assert error is not None and error.error == "States.TaskFailed"
    assert "boom" in job_log_tail(execution)
    assert [job[0] for job in execution.jobs] == ["start"], "nothing runs after the failed step"

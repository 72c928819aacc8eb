"""The gate's graph stage end to end: real runs of the real Metaflow client (S3 datastore on the emulator, so code
packages and _graph_info exist), tagged prod_ready, deployed through the signed GitHub webhook of a local platform.

(a) mutated_flow.py: a FlowMutator adds @retry(times=4) to every step and a StepMutator @resources(gpu=2,
    memory=24576) to train; the deployed state machine has 5 attempts per step and train's job asks for 2 GPUs and
    24576 MiB. (A mutator adding @batch(queue=...) cannot be run locally: a local run with @batch submits the step to
    AWS Batch, which the local platform cannot execute; the record's @batch would be taken over the same way.)
(b) env_memory_flow.py run with TRAIN_MEMORY=16384: the compiler reads 8192, the deployment is refused as
    graph_mismatch naming the step, decorator and attribute.
(c) linear_flow.py (an existing e2e flow) and config_resources_flow.py (a Config-driven flow) deploy unchanged.
"""
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOWS = Path(__file__).resolve().parent / "flows"
PYTHON = os.environ.get("FLOWGATE_PYTHON", sys.executable)
OWNER, REPO = "e2e", "gate_graph"
SECRET = "e2e-gate-graph-secret"
FLOW_FILES = {"MutatedFlow": "mutated_flow.py", "EnvMemoryFlow": "env_memory_flow.py",
              "LinearFlow": "linear_flow.py", "ConfigResourcesFlow": "config_resources_flow.py"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url, method="GET", body=None, headers=None, timeout=30):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A local platform that accepts webhooks for e2e/gate_graph, with its repository and the Metaflow environment."""
    work = tmp_path_factory.mktemp("gate_graph")
    git_root = work / "git"
    repo = git_root / OWNER / REPO
    (repo / "flows").mkdir(parents=True)
    for file in FLOW_FILES.values():
        shutil.copy(FLOWS / file, repo / "flows" / file)
    manifest = "project: gate_graph\nflows:\n" + "".join(
        f"  - name: {name}\n    file: flows/{file}\n" for name, file in FLOW_FILES.items())
    (repo / "flowgate.yaml").write_text(manifest)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "flows")
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FLOWGATE_PORT": str(port), "FLOWGATE_LOCAL_GIT_ROOT": str(git_root),
           "FLOWGATE_REPOSITORIES": f"{OWNER}/{REPO}:main", "FLOWGATE_GITHUB_WEBHOOK_SECRET": SECRET}
    env.pop("AWS_ENDPOINT_URL", None)
    log = open(work / "platform.log", "wb")
    process = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-jar",
                                str(ROOT / "functions/local-runtime/target/local-runtime.jar")],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    health = None
    while time.time() < deadline and process.poll() is None:
        try:
            status, body = _http(url + "/healthz", timeout=2)
            if status == 200:
                health = json.loads(body)
                break
        except OSError:
            pass
        time.sleep(0.5)
    if health is None:
        process.kill()
        pytest.fail("the platform did not start; see " + str(work / "platform.log"))
    emulator = health["emulator"]["endpoint"]
    mf_env = {**os.environ, "METAFLOW_SERVICE_URL": url, "METAFLOW_DEFAULT_METADATA": "service",
              "METAFLOW_DEFAULT_DATASTORE": "s3", "METAFLOW_DATASTORE_SYSROOT_S3": "s3://flowgate-datastore/metaflow",
              "METAFLOW_S3_ENDPOINT_URL": emulator, "AWS_ENDPOINT_URL": emulator, "AWS_ACCESS_KEY_ID": "testing",
              "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
              "METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE": "true", "METAFLOW_HOME": str(work / "mfhome"),
              "USERNAME": "e2e", "METAFLOW_USER": "e2e"}
    try:
        yield {"url": url, "repo": repo, "sha": sha, "env": mf_env}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _run_and_tag(platform, flow, env=None):
    id_file = platform["repo"] / f".{flow}.runid"
    done = subprocess.run([PYTHON, f"flows/{FLOW_FILES[flow]}", "--quiet", "--no-pylint", "run", "--run-id-file",
                           str(id_file)], cwd=platform["repo"], env={**platform["env"], **(env or {})},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    run_id = id_file.read_text().strip()
    id_file.unlink()
    tag = subprocess.run([PYTHON, "-c", "import sys\nfrom metaflow import Run, namespace\nnamespace(None)\n"
                          "Run(sys.argv[1]).add_tag('prod_ready')\n", f"{flow}/{run_id}"],
                         cwd=platform["repo"], env=platform["env"], capture_output=True, text=True, timeout=120)
    assert tag.returncode == 0, tag.stderr[-2000:]
    return run_id


def _push(platform):
    sha = platform["sha"]
    body = json.dumps({
        "ref": "refs/heads/main", "before": "0" * 40, "after": sha, "created": False, "deleted": False, "forced": False,
        "head_commit": {"id": sha, "message": "flows"}, "commits": [{"id": sha}],
        "repository": {"full_name": f"{OWNER}/{REPO}", "name": REPO, "owner": {"login": OWNER}, "default_branch": "main"},
        "pusher": {"name": "e2e"}, "sender": {"login": "e2e"}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    status, answer = _http(platform["url"] + "/webhooks/github", "POST", body, {
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature, "User-Agent": "GitHub-Hookshot/e2e"})
    assert status == 202, answer


def _statuses(platform, timeout=300):
    """flow -> final commit status, once every flow has one."""
    path = f"{platform['url']}/local/github/repos/{OWNER}/{REPO}/commits/{platform['sha']}/statuses"
    deadline = time.time() + timeout
    final = {}
    while time.time() < deadline:
        status, body = _http(path)
        final = {}
        for item in json.loads(body) if status == 200 else []:
            flow = item["context"].split("/", 1)[-1]
            if item["state"] != "pending" and flow not in final:
                final[flow] = item
        if set(FLOW_FILES) <= set(final):
            return final
        time.sleep(1)
    raise AssertionError(f"not every flow has a final status within {timeout} s: {final}")


def _machine(platform, name):
    code = ("import boto3, json, sys\nsfn = boto3.client('stepfunctions')\n"
            "arn = [m['stateMachineArn'] for m in sfn.list_state_machines()['stateMachines'] if m['name'] == sys.argv[1]][0]\n"
            "print(sfn.describe_state_machine(stateMachineArn=arn)['definition'])\n")
    done = subprocess.run([PYTHON, "-c", code, name], env=platform["env"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def deployed(platform):
    _run_and_tag(platform, "MutatedFlow")
    _run_and_tag(platform, "EnvMemoryFlow", env={"TRAIN_MEMORY": "16384"})
    _run_and_tag(platform, "LinearFlow")
    _run_and_tag(platform, "ConfigResourcesFlow")
    _push(platform)
    return _statuses(platform)


def test_mutators_retriesAndGpus_reachTheStateMachine(platform, deployed):
    assert deployed["MutatedFlow"]["state"] == "success", deployed["MutatedFlow"]
    states = _machine(platform, "MutatedFlow")["States"]
    for step in ("start", "train", "end"):
        assert states[step]["Parameters"]["RetryStrategy"]["Attempts"] == 5, step
    requirements = {r["Type"]: r["Value"] for r in states["train"]["Parameters"]["ContainerOverrides"]["ResourceRequirements"]}
    assert requirements["GPU"] == "2" and requirements["MEMORY"] == "24576"
    assert "GPU" not in {r["Type"] for r in states["start"]["Parameters"]["ContainerOverrides"]["ResourceRequirements"]}


def test_valueFromTheEnvironmentAtImport_isRefusedNamingStepAndAttribute(deployed):
    status = deployed["EnvMemoryFlow"]
    assert status["state"] == "failure", status
    assert "train" in status["description"] and "memory" in status["description"], status["description"]


def test_flowsWithoutMutators_deployUnchanged(platform, deployed):
    for flow in ("LinearFlow", "ConfigResourcesFlow"):
        assert deployed[flow]["state"] == "success", deployed[flow]
    states = _machine(platform, "ConfigResourcesFlow")["States"]
    requirements = {r["Type"]: r["Value"] for r in states["fit"]["Parameters"]["ContainerOverrides"]["ResourceRequirements"]}
    assert requirements["VCPU"] == "2" and requirements["MEMORY"] == "6144"
    assert states["fit"]["Parameters"]["RetryStrategy"]["Attempts"] == 2

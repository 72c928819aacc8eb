"""The production gate's branch policy, commit provenance and records, attacked on the local platform.

One repository (`gate/flows`, a real git repository served by the local GitHub stand-in) with two flows: PlainFlow
(no @project) and ProjectGateFlow (@project "gate"). Both run once with the real Metaflow client (S3 datastore on the
emulator, so code packages exist) and are tagged prod_ready. The platform allows the experimental branches `exp-*`
of this repository only (FLOWGATE_REPOSITORIES=gate/flows:main:experimental=exp-*). Then:

- a signed push of main deploys both flows to production (the control);
- a signed push of branch exp-1: PlainFlow is refused (it has no @project) and its production state machine is
  unchanged; ProjectGateFlow deploys to a state machine of its own (the legitimate control);
- a Jenkins-style invoke of the exp-1 commit as refs/heads/main is refused (the commit is not on main);
- an older main commit invoked after a newer one is skipped, nothing changes;
- an invoke that carries the deployment id of a recorded deployment is refused (400 naming deployment_id) and the
  record is unchanged.
"""
import hashlib
import hmac
import json
import os
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
PYTHON = os.environ.get("FLOWGATE_PYTHON", sys.executable)
JAR = ROOT / "functions/local-runtime/target/local-runtime.jar"
OWNER, REPO = "gate", "flows"
SECRET = "gate-provenance-secret"
FLOWS = ("PlainFlow", "ProjectGateFlow")

PLAIN_FLOW = '''from metaflow import FlowSpec, step


class PlainFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        print("done", self.x)


if __name__ == "__main__":
    PlainFlow()
'''
PROJECT_FLOW = PLAIN_FLOW.replace("PlainFlow", "ProjectGateFlow").replace(
    "from metaflow import FlowSpec, step", "from metaflow import FlowSpec, project, step").replace(
    "\nclass ProjectGateFlow", '\n@project(name="gate")\nclass ProjectGateFlow')
MANIFEST = """project: gate
flows:
  - name: PlainFlow
    file: flows/plain_flow.py
  - name: ProjectGateFlow
    file: flows/project_gate_flow.py
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    def __init__(self, url, emulator, repo):
        self.url, self.emulator, self.repo = url, emulator, repo

    def http(self, method, path, body=None, headers=None, timeout=120):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def git(self, *args):
        return subprocess.run(["git", *args], cwd=self.repo, check=True, capture_output=True, text=True).stdout.strip()

    def commit(self, message):
        self.git("add", ".")
        self.git("-c", "user.name=Gate", "-c", "user.email=gate@example.com", "commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, branch, sha):
        body = json.dumps({"ref": f"refs/heads/{branch}", "before": "0" * 40, "after": sha, "created": False,
                           "deleted": False, "forced": False, "head_commit": {"id": sha}, "commits": [{"id": sha}],
                           "repository": {"full_name": f"{OWNER}/{REPO}", "name": REPO, "owner": {"login": OWNER}}}).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        status, answer = self.http("POST", "/webhooks/github", body, {
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature})
        assert status == 202, answer
        return json.loads(answer)

    def invoke(self, payload):
        status, answer = self.http("POST", "/2015-03-31/functions/flowgate-deployer/invocations", payload)
        assert status == 200, answer
        return json.loads(answer)

    def final_statuses(self, sha, timeout=240):
        """flow -> its final commit status on sha (waits until every flow has one)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body = self.http("GET", f"/local/github/repos/{OWNER}/{REPO}/commits/{sha}/statuses")
            finals = {}
            for item in reversed(json.loads(body) if status == 200 else []):  # oldest first: the newest wins
                flow = item["context"].removeprefix("flowgate/")
                if flow in FLOWS and item["state"] != "pending":
                    finals[flow] = item
            if len(finals) == len(FLOWS):
                return finals
            time.sleep(1)
        raise AssertionError(f"no final statuses for {sha[:12]} within {timeout} s")

    def aws(self, code, *args):
        env = dict(os.environ, AWS_ENDPOINT_URL=self.emulator, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        done = subprocess.run([PYTHON, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def machines(self):
        """state machine name -> (definition, tags: the deployment and commit that put it there)."""
        return self.aws(
            "import boto3, json\n"
            "sfn = boto3.client('stepfunctions')\n"
            "out = {}\n"
            "for m in sfn.list_state_machines()['stateMachines']:\n"
            "    d = sfn.describe_state_machine(stateMachineArn=m['stateMachineArn'])['definition']\n"
            "    t = sfn.list_tags_for_resource(resourceArn=m['stateMachineArn'])['tags']\n"
            "    out[m['name']] = [d, sorted((x['key'], x['value']) for x in t)]\n"
            "print(json.dumps(out))\n")

    def record(self, flow, deployment_id):
        return self.aws(
            "import boto3, json, sys\n"
            "item = boto3.client('dynamodb').get_item(TableName='flowgate-control', ConsistentRead=True,\n"
            "    Key={'pk': {'S': 'deployments#' + sys.argv[1]}, 'sk': {'S': sys.argv[2]}}).get('Item')\n"
            "print(json.dumps(item))\n", flow, deployment_id)

    def history(self, flow):
        return self.aws(
            "import boto3, json, sys\n"
            "items = boto3.client('dynamodb').query(TableName='flowgate-control', ConsistentRead=True,\n"
            "    KeyConditionExpression='pk = :pk', ExpressionAttributeValues={':pk': {'S': 'deployments#' + sys.argv[1]}})['Items']\n"
            "print(json.dumps(items))\n", flow)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: mvn -B -q -DskipTests -pl functions/local-runtime -am package")
    work = tmp_path_factory.mktemp("gate")
    git_root = work / "git"
    repo = git_root / OWNER / REPO
    (repo / "flows").mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "FLOWGATE_PORT": str(port), "FLOWGATE_LOCAL_GIT_ROOT": str(git_root),
           "FLOWGATE_REPOSITORIES": f"{OWNER}/{REPO}:main:experimental=exp-*",
           "FLOWGATE_GITHUB_WEBHOOK_SECRET": SECRET, "FLOWGATE_PYTHON": PYTHON}
    for key in ("AWS_ENDPOINT_URL", "FLOWGATE_URL", "FLOWGATE_EXPERIMENTAL_BRANCHES", "FLOWGATE_METAFLOW_LAYER"):
        env.pop(key, None)
    log = open(work / "platform.log", "wb")
    process = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-jar", str(JAR)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        health = None
        while time.time() < deadline and health is None:
            if process.poll() is not None:
                pytest.fail((work / "platform.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    health = json.loads(response.read())
            except OSError:
                time.sleep(0.5)
        assert health, "the platform did not become healthy"
        yield Platform(url, health["emulator"]["endpoint"], repo)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def gate(platform):
    """main's first commit, both flows run and tagged prod_ready, pushed and deployed to production."""
    p = platform
    (p.repo / "flowgate.yaml").write_text(MANIFEST)
    (p.repo / "README.md").write_text("gate e2e\n")
    (p.repo / "flows/plain_flow.py").write_text(PLAIN_FLOW)
    (p.repo / "flows/project_gate_flow.py").write_text(PROJECT_FLOW)
    p.git("init", "-q", "-b", "main")
    first = p.commit("two flows")
    env = dict(os.environ, METAFLOW_SERVICE_URL=p.url, METAFLOW_DEFAULT_METADATA="service",
               METAFLOW_DEFAULT_DATASTORE="s3", METAFLOW_DATASTORE_SYSROOT_S3="s3://flowgate-datastore/metaflow",
               METAFLOW_S3_ENDPOINT_URL=p.emulator, AWS_ENDPOINT_URL=p.emulator, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE="true", METAFLOW_HOME=str(p.repo.parent / ".mfhome"),
               USERNAME="gate", METAFLOW_USER="gate")
    runs = {}
    procs = {flow: subprocess.Popen([PYTHON, f"flows/{file}", "--quiet", "--no-pylint", "run", "--run-id-file",
                                     str(p.repo.parent / f"{flow}.id")], cwd=p.repo, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for flow, file in (("PlainFlow", "plain_flow.py"), ("ProjectGateFlow", "project_gate_flow.py"))}
    for flow, proc in procs.items():
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output[-3000:]
        runs[flow] = (p.repo.parent / f"{flow}.id").read_text().strip()
    tag = ("import sys\nfrom metaflow import Run, namespace\nnamespace(None)\n"
           "for spec in sys.argv[1:]:\n    Run(spec).add_tag('prod_ready')\n")
    subprocess.run([PYTHON, "-c", tag, *[f"{f}/{r}" for f, r in runs.items()]], cwd=p.repo, env=env, check=True)
    accepted = p.push("main", first)
    finals = p.final_statuses(first)
    assert {f: s["state"] for f, s in finals.items()} == {"PlainFlow": "success", "ProjectGateFlow": "success"}, finals
    return {"first": first, "first_deployment": accepted["deployment_id"]}


def test_experimental_push_of_a_flow_without_project_is_refused_and_the_project_flow_gets_its_own_machine(platform, gate):
    p = platform
    before = p.machines()
    assert "PlainFlow" in before and "gate.prod.ProjectGateFlow" in before, before
    p.git("checkout", "-q", "-b", "exp-1")
    (p.repo / "README.md").write_text("an experiment\n")
    experiment = p.commit("experiment")
    p.git("checkout", "-q", "main")
    gate["experiment"] = experiment

    assert p.push("exp-1", experiment)["target"] == "experimental"
    finals = p.final_statuses(experiment)

    assert finals["PlainFlow"]["state"] == "failure"
    assert "no @project" in finals["PlainFlow"]["description"], finals["PlainFlow"]
    assert finals["ProjectGateFlow"]["state"] == "success", finals["ProjectGateFlow"]
    after = p.machines()
    assert after["PlainFlow"] == before["PlainFlow"], "the production state machine of PlainFlow changed"
    assert after["gate.prod.ProjectGateFlow"] == before["gate.prod.ProjectGateFlow"]
    own = [name for name in after if name.startswith("gate.test.exp_1__") and name.endswith(".ProjectGateFlow")]
    assert len(own) == 1, sorted(after)
    assert not any(name.startswith("gate.test") and name.endswith("PlainFlow") for name in after)


def test_push_of_a_branch_that_is_not_opted_in_deploys_nothing(platform, gate):
    p = platform
    answer = p.push("feature/x", gate["first"])
    assert answer.get("ignored") is True and "no experimental branches" not in answer["message"], answer
    assert "exp-*" in answer["message"], answer


def test_jenkins_invoke_of_a_commit_not_on_main_is_refused(platform, gate):
    p = platform
    if "experiment" not in gate:
        pytest.skip("needs the experimental branch of the test before")
    before = p.machines()
    result = p.invoke({"repository": f"{OWNER}/{REPO}", "commit_sha": gate["experiment"], "ref": "refs/heads/main",
                       "request_id": "jenkins:gate#1"})
    assert result["outcome"] == "commit_not_on_ref", result
    assert "is not on refs/heads/main" in result["message"]
    assert p.machines() == before


def test_older_commit_after_a_newer_one_is_skipped(platform, gate):
    p = platform
    (p.repo / "README.md").write_text("newer\n")
    newer = p.commit("newer")
    accepted = p.push("main", newer)
    assert {f: s["state"] for f, s in p.final_statuses(newer).items()} == {"PlainFlow": "success", "ProjectGateFlow": "success"}
    gate["newer_deployment"] = accepted["deployment_id"]
    before = p.machines()

    result = p.invoke({"repository": f"{OWNER}/{REPO}", "commit_sha": gate["first"], "ref": "refs/heads/main"})

    assert result["outcome"] == "skipped", result
    assert all(f["outcome"] == "skipped" and "is older than " + newer[:12] in f["message"] for f in result["flows"]), result
    assert p.machines() == before


def test_a_caller_supplied_id_of_a_recorded_deployment_is_refused_and_the_record_is_unchanged(platform, gate):
    p = platform
    deployment = gate["first_deployment"]
    record = p.record("PlainFlow", deployment)
    assert record and record["outcome"]["S"] == "deployed", record
    history = p.history("PlainFlow")
    before = p.machines()

    result = p.invoke({"repository": f"{OWNER}/{REPO}", "commit_sha": gate["first"], "ref": "refs/heads/main",
                       "deployment_id": deployment})

    assert result["outcome"] == "invalid_request" and result["status"] == 400, result
    assert result["field"] == "deployment_id", result
    assert p.record("PlainFlow", deployment) == record
    assert p.history("PlainFlow") == history
    assert p.machines() == before

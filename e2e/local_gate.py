"""A local Flowgate platform serving one git repository, for the production gate's end-to-end suites.

`local_gate(work, owner, repo, secret, repositories)` starts the local runtime jar (metadata API, deployer, GitHub
stand-in and emulator) with FLOWGATE_LOCAL_GIT_ROOT at `work/git`, so `<owner>/<repo>` is the git repository at
`work/git/<owner>/<repo>`, and yields a `LocalGate`: commit to that repository, run flows with the real Metaflow
client (S3 datastore on the emulator, so code packages exist), tag runs prod_ready, send signed push webhooks or
Jenkins-style invokes, wait for the commit statuses, and read what the emulator holds.
"""
import contextlib
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
DATASTORE_ROOT = "s3://flowgate-datastore/metaflow"
FLOW_TIMEOUT_SECONDS = 300


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalGate:
    def __init__(self, url, emulator, repo, owner, name, secret):
        self.url, self.emulator, self.repo = url, emulator, repo
        self.owner, self.name, self.secret = owner, name, secret

    # --- the repository -------------------------------------------------------------------------------------------
    def git(self, *args):
        return subprocess.run(["git", *args], cwd=self.repo, check=True, capture_output=True, text=True).stdout.strip()

    def commit(self, message):
        if not (self.repo / ".git").exists():
            self.git("init", "-q", "-b", "main")
        self.git("add", ".")
        self.git("-c", "user.name=Gate", "-c", "user.email=gate@example.com", "commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    # --- Metaflow -------------------------------------------------------------------------------------------------
    def metaflow_env(self, **extra):
        """What a data scientist's shell holds: the platform's metadata API, the team's S3 datastore (emulated)."""
        env = dict(os.environ, METAFLOW_SERVICE_URL=self.url, METAFLOW_DEFAULT_METADATA="service",
                   METAFLOW_DEFAULT_DATASTORE="s3", METAFLOW_DATASTORE_SYSROOT_S3=DATASTORE_ROOT,
                   METAFLOW_S3_ENDPOINT_URL=self.emulator, AWS_ENDPOINT_URL=self.emulator,
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                   METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE="true", METAFLOW_HOME=str(self.repo.parent / ".mfhome"),
                   USERNAME="gate", METAFLOW_USER="gate")
        env.update(extra)
        return env

    def run_flows(self, runs):
        """Runs flows at once. runs maps a flow name to (its file, extra environment, options before `run`, e.g.
        `--config-value`); returns flow -> run id."""
        # Metaflow creates its local `.metaflow` directory (latest_run) with a bare os.mkdir, which fails when two runs
        # start in the same directory at once; it also looks for one in the parents, so one outside the repository
        # serves them all
        (self.repo.parent / ".metaflow").mkdir(exist_ok=True)
        ids, procs = {}, {}
        for flow, (file, extra, options) in runs.items():
            id_file = self.repo.parent / f"{flow}.{uuid.uuid4().hex}.id"
            procs[flow] = (id_file, subprocess.Popen(
                [PYTHON, file, "--quiet", "--no-pylint", *options, "run", "--run-id-file", str(id_file)],
                cwd=self.repo, env=self.metaflow_env(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True))
        for flow, (id_file, proc) in procs.items():
            output, _ = proc.communicate(timeout=FLOW_TIMEOUT_SECONDS)
            assert proc.returncode == 0, f"{flow}: {output[-3000:]}"
            ids[flow] = id_file.read_text().strip()
        return ids

    def tag_prod_ready(self, runs):
        """Tags each flow/run_id prod_ready with the real client."""
        code = ("import sys\nfrom metaflow import Run, namespace\nnamespace(None)\n"
                "for spec in sys.argv[1:]:\n    Run(spec).add_tag('prod_ready')\n")
        done = subprocess.run([PYTHON, "-c", code, *[f"{f}/{r}" for f, r in runs.items()]], cwd=self.repo,
                              env=self.metaflow_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]

    # --- the platform's HTTP surface ------------------------------------------------------------------------------
    def http(self, method, path, body=None, headers=None, timeout=120):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def push(self, branch, sha):
        """A signed GitHub push webhook of sha to branch; returns the accepted answer."""
        body = json.dumps({"ref": f"refs/heads/{branch}", "before": "0" * 40, "after": sha, "created": False,
                           "deleted": False, "forced": False, "head_commit": {"id": sha}, "commits": [{"id": sha}],
                           "repository": {"full_name": f"{self.owner}/{self.name}", "name": self.name,
                                          "owner": {"login": self.owner}, "default_branch": "main"}}).encode()
        signature = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        status, answer = self.http("POST", "/webhooks/github", body, {
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature})
        assert status == 202, answer
        return json.loads(answer)

    def invoke(self, payload):
        """A Jenkins-style direct invoke of the deployer function."""
        status, answer = self.http("POST", "/2015-03-31/functions/flowgate-deployer/invocations", payload)
        assert status == 200, answer
        return json.loads(answer)

    def final_statuses(self, sha, flows, timeout=300):
        """flow -> its newest final commit status on sha, once every flow in flows has one."""
        deadline = time.time() + timeout
        finals = {}
        while time.time() < deadline:
            status, body = self.http("GET", f"/local/github/repos/{self.owner}/{self.name}/commits/{sha}/statuses")
            finals = {}
            for item in reversed(json.loads(body) if status == 200 else []):  # oldest first: the newest wins
                flow = item["context"].removeprefix("flowgate/")
                if flow in flows and item["state"] != "pending":
                    finals[flow] = item
            if len(finals) == len(flows):
                return finals
            time.sleep(1)
        raise AssertionError(f"not every flow has a final status on {sha[:12]} within {timeout} s: {finals}")

    # --- what the emulator holds ----------------------------------------------------------------------------------
    def aws(self, code, *args):
        """Runs boto3 code against the emulator; its last stdout line is JSON."""
        env = dict(os.environ, AWS_ENDPOINT_URL=self.emulator, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        done = subprocess.run([PYTHON, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def machines(self):
        """state machine name -> [definition, tags sorted as (key, value) pairs]."""
        return self.aws(
            "import boto3, json\n"
            "sfn = boto3.client('stepfunctions')\n"
            "out = {}\n"
            "for m in sfn.list_state_machines()['stateMachines']:\n"
            "    d = sfn.describe_state_machine(stateMachineArn=m['stateMachineArn'])['definition']\n"
            "    t = sfn.list_tags_for_resource(resourceArn=m['stateMachineArn'])['tags']\n"
            "    out[m['name']] = [d, sorted((x['key'], x['value']) for x in t)]\n"
            "print(json.dumps(out))\n")

    def machine(self, name):
        """The parsed definition of one state machine."""
        return json.loads(self.machines()[name][0])

    def keys(self, prefix):
        """The datastore bucket's keys under prefix."""
        return self.aws(
            "import boto3, json, sys\n"
            "s3 = boto3.client('s3')\n"
            "keys = [o['Key'] for p in s3.get_paginator('list_objects_v2').paginate(Bucket='flowgate-datastore',"
            " Prefix=sys.argv[1]) for o in p.get('Contents', [])]\n"
            "print(json.dumps(keys))\n", prefix)

    def record(self, flow, deployment_id):
        return self.aws(
            "import boto3, json, sys\n"
            "item = boto3.client('dynamodb').get_item(TableName='flowgate-control', ConsistentRead=True,\n"
            "    Key={'pk': {'S': 'deployments#' + sys.argv[1]}, 'sk': {'S': sys.argv[2]}}).get('Item')\n"
            "print(json.dumps(item))\n", flow, deployment_id)

    def deployment(self, flow, deployment_id, timeout=300):
        """The deployment record of flow in deployment_id, once the deployer has written it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            item = self.record(flow, deployment_id)
            if item:
                return item
            time.sleep(1)
        raise AssertionError(f"no record of {flow} in deployment {deployment_id} within {timeout} s")

    def history(self, flow):
        return self.aws(
            "import boto3, json, sys\n"
            "items = boto3.client('dynamodb').query(TableName='flowgate-control', ConsistentRead=True,\n"
            "    KeyConditionExpression='pk = :pk', ExpressionAttributeValues={':pk': {'S': 'deployments#' + sys.argv[1]}})['Items']\n"
            "print(json.dumps(items))\n", flow)


@contextlib.contextmanager
def local_gate(work, owner, name, secret, repositories):
    """Starts the local platform for the repository owner/name (FLOWGATE_REPOSITORIES=repositories) and stops it."""
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: mvn -B -q -DskipTests -pl functions/local-runtime -am package")
    git_root = work / "git"
    repo = git_root / owner / name
    repo.mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "FLOWGATE_PORT": str(port), "FLOWGATE_LOCAL_GIT_ROOT": str(git_root),
           "FLOWGATE_REPOSITORIES": repositories, "FLOWGATE_GITHUB_WEBHOOK_SECRET": secret, "FLOWGATE_PYTHON": PYTHON}
    for key in ("AWS_ENDPOINT_URL", "FLOWGATE_URL", "FLOWGATE_EXPERIMENTAL_BRANCHES", "FLOWGATE_METAFLOW_LAYER"):
        env.pop(key, None)
    log_path = work / "platform.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-jar", str(JAR)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        health = None
        while time.time() < deadline and health is None:
            if process.poll() is not None:
                pytest.fail(log_path.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    health = json.loads(response.read())
            except OSError:
                time.sleep(0.5)
        assert health, "the platform did not become healthy; see " + str(log_path)
        yield LocalGate(url, health["emulator"]["endpoint"], repo, owner, name, secret)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()

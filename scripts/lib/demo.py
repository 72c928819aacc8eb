"""The Flowgate journey, narrated. Run through scripts/demo (which prepares the environment)."""
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PROJECT, FLOW, FLOW_FILE = "churn_model", "ChurnTrainingFlow", "flows/churn_training_flow.py"
OWNER = "demo"
SECRET = os.environ.get("FLOWGATE_GITHUB_WEBHOOK_SECRET", "flowgate-demo-webhook-secret")
PORT = int(os.environ.get("FLOWGATE_PORT", "8080"))
URL = f"http://127.0.0.1:{PORT}"
results = []


def say(text):
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def stage(name):
    def wrap(fn):
        def run(*args):
            say(name)
            try:
                value = fn(*args)
                results.append((name, "ok", ""))
                return value
            except Exception as error:  # the demo reports every stage, then fails at the end
                results.append((name, "failed", str(error)))
                print(f"    failed: {error}", flush=True)
                raise StageFailed() from error
        return run
    return wrap


class StageFailed(Exception):
    pass


def http(method, path, body=None, headers=None, timeout=30):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def healthy():
    try:
        status, body = http("GET", "/healthz", timeout=2)
        return status == 200 and json.loads(body)
    except OSError:
        return None


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@stage("start the platform (local runtime + moto)")
def start_platform(git_root, repositories=f"{OWNER}/{PROJECT}:main"):
    if not port_free(PORT):
        raise RuntimeError(f"port {PORT} is in use: stop that process, choose FLOWGATE_PORT, or pass --use-running")
    env = dict(os.environ, FLOWGATE_PORT=str(PORT), FLOWGATE_LOCAL_GIT_ROOT=str(git_root),
               FLOWGATE_REPOSITORIES=repositories, FLOWGATE_GITHUB_WEBHOOK_SECRET=SECRET)
    log = open(git_root.parent / "platform.log", "w")
    process = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-jar",
                                str(ROOT / "functions/local-runtime/target/local-runtime.jar")],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    print(f"    {URL} (log: {log.name})", flush=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the platform exited with {process.returncode}; see {log.name}")
        if healthy():
            return process
        time.sleep(0.5)
    raise RuntimeError("the platform did not answer /healthz within 90 s")


def run(args, cwd, env=None, check=True):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:3]))} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result


@stage("render a project from the template and commit it to a local git repository")
def render(git_root):
    owner_dir = git_root / OWNER
    owner_dir.mkdir(parents=True, exist_ok=True)
    run(["java", "-jar", str(ROOT / "functions/cli/target/flowgate-cli.jar"), "new-project", "--no-input",
         "-o", str(owner_dir), f"project_name={PROJECT}", f"flow_name={FLOW}", "team=demo-team"],
        cwd=ROOT, env=dict(os.environ, FLOWGATE_HOME=str(ROOT)))
    repo = owner_dir / PROJECT
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=Demo", "-c", "user.email=demo@example.com", "commit", "-q", "-m", "First flow"]):
        run(["git"] + args, cwd=repo)
    sha = run(["git", "rev-parse", "HEAD"], cwd=repo).stdout.strip()
    print(f"    {repo} @ {sha[:12]}")
    return repo, sha


def metaflow_env(repo, emulator):
    return dict(os.environ,
                METAFLOW_SERVICE_URL=URL, METAFLOW_DEFAULT_METADATA="service",
                METAFLOW_DEFAULT_DATASTORE="s3", METAFLOW_DATASTORE_SYSROOT_S3="s3://flowgate-datastore/metaflow",
                METAFLOW_S3_ENDPOINT_URL=emulator, AWS_ENDPOINT_URL=emulator, AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE="true", METAFLOW_HOME=str(repo.parent / ".metaflow-home"),
                USERNAME="demo", PYTHONPATH=str(repo / "src"))


@stage("run the flow twice with the real Metaflow client (code packages land in S3 on the emulator)")
def run_flows(repo, env):
    runs = []
    for rows in (60, 400):
        id_file = repo.parent / f"run-id-{rows}"
        run([PYTHON, FLOW_FILE, "--quiet", "--no-pylint", "run", "--rows", str(rows), "--run-id-file", str(id_file)],
            cwd=repo, env=env)
        runs.append(id_file.read_text().strip())
        print(f"    {FLOW}/{runs[-1]} (rows={rows})")
    return runs


@stage("tag the better run prod_ready")
def tag_best(repo, env, run_ids):
    code = (
        "import json, sys\n"
        "from metaflow import Run, namespace\n"
        "namespace(None)\n"
        f"runs = [Run('{FLOW}/' + r) for r in {run_ids!r}]\n"
        "best = min(runs, key=lambda r: r.data.score)\n"
        "best.add_tag('prod_ready')\n"
        "print(json.dumps({'run': best.id, 'score': best.data.score, 'tags': sorted(best.user_tags)}))\n")
    chosen = json.loads(run([PYTHON, "-c", code], cwd=repo, env=env).stdout.strip().splitlines()[-1])
    print(f"    {FLOW}/{chosen['run']} score={chosen['score']:.4f} tags={chosen['tags']}")
    return chosen["run"]


def send_push(sha, message):
    body = json.dumps({
        "ref": "refs/heads/main", "before": "0" * 40, "after": sha, "created": False, "deleted": False,
        "forced": False, "head_commit": {"id": sha, "message": message}, "commits": [{"id": sha}],
        "repository": {"full_name": f"{OWNER}/{PROJECT}", "name": PROJECT, "owner": {"login": OWNER},
                       "default_branch": "main"},
        "pusher": {"name": "demo"}, "sender": {"login": "demo"}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    status, answer = http("POST", "/webhooks/github", body, {
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature, "User-Agent": "GitHub-Hookshot/demo"})
    print(f"    {status} {answer.decode()[:300]}")
    if status != 202:
        raise RuntimeError(f"the webhook answered {status}")
    return json.loads(answer)


@stage("push: send the signed GitHub webhook for the commit")
def push(sha):
    return send_push(sha, "First flow")


def final_status(sha, timeout=180):
    path = f"/local/github/repos/{OWNER}/{PROJECT}/commits/{sha}/statuses"
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, body = http("GET", path)
        for item in json.loads(body) if status == 200 else []:
            if item["context"].endswith(FLOW) and item["state"] != "pending":
                return item
        time.sleep(1)
    raise RuntimeError(f"no final commit status for {sha[:12]} within {timeout} s")


@stage("push code that never ran: the deployment is refused, naming the file")
def push_drift(repo):
    flow = repo / FLOW_FILE
    flow.write_text(flow.read_text() + "\n# an edit that no tagged run has executed\n")
    for args in (["add", "."], ["-c", "user.name=Demo", "-c", "user.email=demo@example.com", "commit", "-q", "-m", "Untested edit"]):
        run(["git"] + args, cwd=repo)
    sha = run(["git", "rev-parse", "HEAD"], cwd=repo).stdout.strip()
    send_push(sha, "Untested edit")
    final = final_status(sha)
    print(f"    commit status {final['context']}: {final['state']} — {final['description']}")
    if final["state"] == "success" or Path(FLOW_FILE).name not in final["description"]:
        raise RuntimeError("the drifted commit was not refused with the file named")


@stage("watch the deployment: commit status, deployment record and the state machine")
def watch(sha, env):
    final = final_status(sha)
    print(f"    commit status {final['context']}: {final['state']} — {final['description']}")
    if final["state"] != "success":
        raise RuntimeError(final["description"])
    code = (
        "import boto3, json\n"
        "sfn = boto3.client('stepfunctions')\n"
        "machines = [m for m in sfn.list_state_machines()['stateMachines'] if m['name'].endswith('.ChurnTrainingFlow')]\n"
        "tags = sfn.list_tags_for_resource(resourceArn=machines[0]['stateMachineArn'])['tags'] if machines else []\n"
        "print(json.dumps({'machines': [m['name'] for m in machines], 'tags': {t['key']: t['value'] for t in tags}}))\n")
    found = json.loads(run([PYTHON, "-c", code], cwd=ROOT, env=env).stdout.strip().splitlines()[-1])
    if not found["machines"]:
        raise RuntimeError("no state machine was created")
    print(f"    state machine {found['machines'][0]}; tags {found['tags']}")
    history = run(["java", "-jar", str(ROOT / "functions/cli/target/flowgate-cli.jar"), "deployments", FLOW, "--limit", "3"],
                  cwd=ROOT, env=dict(env, FLOWGATE_RESOURCE_PREFIX="flowgate")).stdout
    print("    deployment record (scripts/flowgate deployments):")
    for line in history.strip().splitlines():
        print("      " + line[:160])
    if "deployed" not in history:
        raise RuntimeError("the deployment record is missing")
    return found["machines"][0]


@stage("a production execution fails: the alerter posts to Slack (local sink)")
def alert(machine, env, emulator):
    # moto runs state machines (switched on at the start of the demo) but not Batch jobs: the deployed machine's
    # first Batch step fails for real in the emulator, which gives a genuine FAILED execution and history.
    code = (
        "import boto3, json, time, sys\n"
        "sfn = boto3.client('stepfunctions')\n"
        "arn = [m for m in sfn.list_state_machines()['stateMachines'] if m['name'] == sys.argv[1]][0]['stateMachineArn']\n"
        "ex = sfn.start_execution(stateMachineArn=arn, name='demo-' + str(int(time.time())), input=json.dumps({'Parameters': '{}'}))['executionArn']\n"
        "for _ in range(100):\n"
        "    d = sfn.describe_execution(executionArn=ex)\n"
        "    if d['status'] != 'RUNNING': break\n"
        "    time.sleep(0.2)\n"
        "else:\n"
        "    sfn.stop_execution(executionArn=ex, error='Demo.Stopped', cause='stopped by the demo')\n"
        "    d = sfn.describe_execution(executionArn=ex)\n"
        "print(json.dumps({k: (v.isoformat() if hasattr(v, 'isoformat') else v) for k, v in d.items() if k != 'ResponseMetadata'}))\n")
    execution = json.loads(run([PYTHON, "-c", code, machine], cwd=ROOT, env=env).stdout.strip().splitlines()[-1])
    print(f"    execution {execution['name']}: {execution['status']} ({execution.get('error', '')})")
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Step Functions Execution Status Change",
             "source": "aws.states", "account": execution["stateMachineArn"].split(":")[4],
             "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
             "resources": [execution["executionArn"]],
             "detail": {"executionArn": execution["executionArn"], "stateMachineArn": execution["stateMachineArn"],
                        "name": execution["name"], "status": execution["status"], "input": execution.get("input"),
                        "output": None, "error": execution.get("error"), "cause": execution.get("cause")}}
    http("DELETE", "/local/slack")
    status, answer = http("POST", "/2015-03-31/functions/flowgate-alerter/invocations", event)
    print(f"    alerter: {status} {answer.decode()[:200]}")
    status, body = http("GET", "/local/slack")
    messages = json.loads(body) if status == 200 else []
    if isinstance(messages, dict):
        messages = messages.get("messages", [])
    if not messages:
        raise RuntimeError("no Slack message was recorded by the local sink")
    last = messages[-1].get("body", messages[-1])
    text = last.get("text") if isinstance(last, dict) else str(last)
    print("    Slack: " + (text or json.dumps(last))[:500].replace("\n", "\n           "))


def main():
    use_running = "--use-running" in sys.argv
    workdir = Path(tempfile.mkdtemp(prefix="flowgate-demo-"))
    git_root = Path(os.environ.get("FLOWGATE_LOCAL_GIT_ROOT", workdir / "git")) if use_running else workdir / "git"
    platform = None
    try:
        say(f"Flowgate demo in {workdir}")
        if use_running:
            if not healthy():
                raise SystemExit(f"no platform answers on {URL}; start it with: FLOWGATE_REPOSITORIES={OWNER}/{PROJECT}:main "
                                 f"FLOWGATE_LOCAL_GIT_ROOT=<dir> FLOWGATE_GITHUB_WEBHOOK_SECRET={SECRET} scripts/platform")
        else:
            git_root.mkdir(parents=True)
            platform = start_platform(git_root)
        emulator = healthy()["emulator"]["endpoint"]
        # let moto interpret state machines; changing moto's config empties its Step Functions, so do it first
        urllib.request.urlopen(urllib.request.Request(emulator + "/moto-api/config", method="POST",
                                                      data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()))
        repo, sha = render(git_root)
        env = metaflow_env(repo, emulator)
        run_ids = run_flows(repo, env)
        tag_best(repo, env, run_ids)
        push(sha)
        machine = watch(sha, env)
        alert(machine, env, emulator)
        push_drift(repo)
    except StageFailed:
        pass
    finally:
        if platform is not None:
            os.killpg(platform.pid, signal.SIGTERM)
            try:
                platform.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(platform.pid, signal.SIGKILL)
        if os.environ.get("FLOWGATE_DEMO_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
    print("\nSummary:")
    for name, outcome, detail in results:
        print(f"  {outcome:6} {name}" + (f" ({detail.splitlines()[0][:120]})" if detail else ""))
    passed = sum(1 for _, outcome, _ in results if outcome == "ok")
    expected = 7 if use_running else 8
    print(f"demo: {passed} passed, {expected - passed} failed")
    return 0 if passed == expected else 1


if __name__ == "__main__":
    sys.exit(main())

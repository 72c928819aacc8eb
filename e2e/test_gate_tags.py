"""Tag trust on the local platform, with the real Metaflow client and raw HTTP.

This module starts its own platform (it needs a local git root and a repository to deploy, like the demo) with
named API keys, as a team would give each person and the production jobs their own key:
`ann` and `eve` (data scientists), `deployer` (the deployer's own key), `sfn-jobs` (the only production caller).

- A run created with `prod_ready`, `production:<x>` or someone else's `user:` as system tags is refused 422 naming
  the tag, and nothing is stored: by raw HTTP, and by the real client run with METAFLOW_PRODUCTION_TOKEN set.
- The real client's own system tags still pass, and production tags pass from the production key.
- A run tagged `prod_ready` by eve's client deploys, and the deploy result JSON, the deployment record and the
  GitHub commit status name eve and when she tagged it.
"""
import importlib.util
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from conftest import FLOWS, PYTHON, ROOT

KEYS = {name: f"{name}-{uuid.uuid4().hex}" for name in ("ann", "eve", "deployer", "sfn-jobs")}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The demo's platform helpers, on a free port, with named keys and sfn-jobs as the production caller."""
    port = _free_port()
    saved = {k: os.environ.get(k) for k in ("FLOWGATE_PORT", "FLOWGATE_API_KEYS", "FLOWGATE_PRODUCTION_CALLERS",
                                             "METAFLOW_SERVICE_AUTH_KEY", "FLOWGATE_API_KEY", "FLOWGATE_GATE_TAGGERS")}
    os.environ.update(FLOWGATE_PORT=str(port), FLOWGATE_PRODUCTION_CALLERS="sfn-jobs",
                      FLOWGATE_API_KEYS=",".join(f"{name}:{key}" for name, key in KEYS.items()),
                      METAFLOW_SERVICE_AUTH_KEY=KEYS["deployer"])
    os.environ.pop("FLOWGATE_API_KEY", None)
    os.environ.pop("FLOWGATE_GATE_TAGGERS", None)
    spec = importlib.util.spec_from_file_location(f"gate_demo_{port}", ROOT / "scripts" / "lib" / "demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    git_root = tmp_path_factory.mktemp("gate") / "git"
    git_root.mkdir()
    process = None
    try:
        process = demo.start_platform(git_root)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        yield {"demo": demo, "url": demo.URL, "git_root": git_root, "emulator": demo.healthy()["emulator"]["endpoint"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def call(platform, method, path, body=None, key="ann"):
    """Raw HTTP to the metadata API with one of the named keys; returns (status, parsed JSON or text)."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["x-api-key"] = KEYS[key]
    request = urllib.request.Request(platform["url"] + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def client_env(platform, home, key, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
    env.update(METAFLOW_SERVICE_URL=platform["url"], METAFLOW_DEFAULT_METADATA="service",
               METAFLOW_DEFAULT_DATASTORE="local", METAFLOW_HOME=str(home / "config"),
               METAFLOW_DATASTORE_SYSROOT_LOCAL=str(home / "datastore"), USERNAME=key, METAFLOW_USER=key,
               METAFLOW_SERVICE_AUTH_KEY=KEYS[key], **extra)
    (home / "config").mkdir(parents=True, exist_ok=True)
    return env


def run_linear(platform, tmp_path, key, *args, **extra):
    """`python linear_flow.py run` with the real client; returns (returncode, output, run id or None)."""
    id_file = tmp_path / f"run-{uuid.uuid4().hex[:6]}"
    done = subprocess.run([PYTHON, str(FLOWS / "linear_flow.py"), "--no-pylint", "--metadata=service", "--datastore=local",
                           "run", "--run-id-file", str(id_file), *args], cwd=tmp_path,
                          env=client_env(platform, tmp_path / "mf", key, **extra), capture_output=True, text=True,
                          timeout=240)
    return done.returncode, done.stdout + done.stderr, id_file.read_text().strip() if id_file.exists() else None


def runs_of(platform, flow):
    status, runs = call(platform, "GET", f"/flows/{flow}/runs")
    return runs if status == 200 else []


def test_spoofed_system_tags_by_raw_http_are_refused_422_naming_the_tag_and_nothing_is_stored(platform):
    flow = "GateSpoofFlow" + uuid.uuid4().hex[:6].upper()
    assert call(platform, "POST", f"/flows/{flow}", {"flow_id": flow})[0] == 200
    client_tags = ["runtime:dev", "python_version:3.11.9", "metaflow_version:2.19.39"]
    for tag, body in [
        ("prod_ready", {"user_name": "ann", "system_tags": ["user:ann", "prod_ready", *client_tags]}),
        ("production:x", {"user_name": "ann", "system_tags": ["user:ann", "production:x", *client_tags]}),
        ("user:bob", {"user_name": "ann", "system_tags": ["user:bob", *client_tags]}),
    ]:
        status, answer = call(platform, "POST", f"/flows/{flow}/run", body)
        assert status == 422, (tag, status, answer)
        assert f"'{tag}" in answer["message"] and answer["field"] == "system_tags", answer
    assert runs_of(platform, flow) == [], "a refused create stores nothing"
    assert call(platform, "POST", f"/flows/{flow}/run", {"user_name": "ann"}, key=None)[0] == 403, "no key, no entry"

    status, run = call(platform, "POST", f"/flows/{flow}/run", {"user_name": "ann", "system_tags": ["user:ann", *client_tags]})
    assert status == 200 and "user:ann" in run["system_tags"], "the client's own system tags pass"
    step = f"/flows/{flow}/runs/{run['run_number']}/steps/start"
    assert call(platform, "POST", step + "/step", {"user_name": "ann", "system_tags": ["prod_ready"]})[0] == 422
    assert call(platform, "GET", step)[0] == 404, "the refused step was not stored"


def test_the_real_client_with_a_production_token_is_refused_unless_it_is_the_production_caller(platform, tmp_path):
    code, output, run_id = run_linear(platform, tmp_path, "ann", METAFLOW_PRODUCTION_TOKEN="x")
    assert code != 0, output[-3000:]
    assert "production:x" in output, output[-3000:]
    assert not [r for r in runs_of(platform, "LinearFlow") if "production:x" in r["system_tags"]]

    code, output, run_id = run_linear(platform, tmp_path, "sfn-jobs", METAFLOW_PRODUCTION_TOKEN="linearflow-0-e2e")
    assert code == 0, output[-3000:]
    status, run = call(platform, "GET", f"/flows/LinearFlow/runs/{run_id}")
    assert status == 200 and "production:linearflow-0-e2e" in run["system_tags"]


def test_the_real_client_tagging_prod_ready_at_creation_is_recorded_as_its_key(platform, tmp_path):
    code, output, run_id = run_linear(platform, tmp_path, "ann", "--tag", "prod_ready")
    assert code == 0, output[-3000:]
    status, run = call(platform, "GET", f"/flows/LinearFlow/runs/{run_id}")
    assert "prod_ready" in run["tags"] and "prod_ready" not in run["system_tags"]
    assert "user:ann" in run["system_tags"], "the client's user: system tag is accepted"
    status, gate = call(platform, "GET", f"/flows/LinearFlow/runs/{run_id}/flowgate/gate", key="eve")
    assert status == 200, gate
    assert (gate["tagged_by"], gate["caller_kind"], gate["user_name"], gate["via"]) == ("ann", "authorizer", "ann",
                                                                                      "run_creation")


def test_a_run_tagged_prod_ready_deploys_and_the_result_record_and_status_name_who_tagged_it(platform, tmp_path):
    demo = platform["demo"]
    repo, sha = demo.render(platform["git_root"])
    env = dict(demo.metaflow_env(repo, platform["emulator"]), METAFLOW_SERVICE_AUTH_KEY=KEYS["ann"], USERNAME="ann")
    id_file = tmp_path / "run-id"
    demo.run([PYTHON, demo.FLOW_FILE, "--quiet", "--no-pylint", "run", "--rows", "60", "--run-id-file", str(id_file)],
             cwd=repo, env=env)
    run_id = id_file.read_text().strip()
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    tag = ("from metaflow import Run, namespace\nnamespace(None)\n"
           f"Run('{demo.FLOW}/{run_id}').add_tag('prod_ready')\n")
    demo.run([PYTHON, "-c", tag], cwd=repo, env=dict(env, METAFLOW_SERVICE_AUTH_KEY=KEYS["eve"]))

    request = {"repository": f"{demo.OWNER}/{demo.PROJECT}", "commit_sha": sha, "ref": "refs/heads/main"}
    status, answer = demo.http("POST", "/2015-03-31/functions/flowgate-deployer/invocations", request, timeout=600)
    result = json.loads(answer)
    assert status == 200 and result["outcome"] == "deployed", result
    flow = result["flows"][0]
    assert flow["run_pathspec"] == f"{demo.FLOW}/{run_id}"
    gate = flow["gate_tag"]
    assert (gate["tag"], gate["tagged_by"], gate["caller_kind"], gate["via"]) == ("prod_ready", "eve", "authorizer",
                                                                                  "tag_mutation")
    tagged_at = datetime.fromisoformat(gate["tagged_at"].replace("Z", "+00:00"))
    assert before <= tagged_at <= datetime.now(timezone.utc)

    final = demo.final_status(sha, 60)
    assert final["state"] == "success" and len(final["description"]) <= 140, final
    assert "prod_ready by eve at " + tagged_at.strftime("%Y-%m-%dT%H:%M:%S") in final["description"], final

    dynamo = boto3.client("dynamodb", endpoint_url=platform["emulator"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    table = next(t for t in dynamo.list_tables()["TableNames"] if t.endswith("-control"))
    items = dynamo.query(TableName=table, KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": f"deployments#{demo.FLOW}"}})["Items"]
    record = next(i for i in items if i["deployment_id"]["S"] == result["deployment_id"])
    assert record["outcome"]["S"] == "deployed"
    assert record["gate_tag"]["M"]["tagged_by"]["S"] == "eve"
    assert record["gate_tag"]["M"]["tagged_at"]["S"] == gate["tagged_at"]

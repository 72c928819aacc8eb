"""Contract of the Metaflow UI backend's read routes (`/api/...`) on the local platform.

Real flows run with the real Metaflow client; then every route is read over HTTP and checked against the shapes
the reference serves. The expected shapes are facts read in Netflix/metaflow-service (commit 91e44f01),
services/ui_backend_service/:
  - api/utils.py `find_records` always serializes rows with expanded=True; `format_response_list` builds the
    envelope {data, status, links{self,first,prev,next,last}, pages{...}, query}, next = page+1 only when the page
    is full, prev = max(page-1, 1), last always None (no page count passed); `format_response` gives
    {data, status, links{self}, query} for one object; `pagination_query`: _page from 1, _limit default 10 max 1000,
    _order "+f"/"-f"/"f" (no sign = DESC); `filter_from_conditions_query_dict`: _tags (all) / _tags:any.
  - data/db/models/{flow,run,step,task,metadata,artifact}_row.py `serialize(expanded=True)`: the field lists in
    RUN_KEYS, STEP_KEYS, ... below (run_number is the integer number, run_id the string id or None, task_id the
    integer id, task_name the string id or None).
  - data/db/tables/run.py join_columns: run status completed/failed from the end step's latest `attempt_ok`
    metadata, `running` while the heartbeat is younger than RUN_INACTIVE_CUTOFF_TIME (base.py: 6 min);
    finished_at = that metadata's ts_epoch; duration = finished_at - ts_epoch; `user` is user_name only when the
    system tag user:<user_name> is present.
  - data/db/tables/task.py: one row per attempt; status from the attempt's `attempt_ok` metadata (tag
    attempt_id:N), started_at from `attempt`, finished_at from `attempt-done`/`attempt_ok`/`_task_ok`;
    api/task.py orders a step's tasks and a task's attempts by attempt_id DESC first.
  - data/db/tables/step.py: step duration from the latest `_task_ok`, `attempt_ok`/`attempt-done`, task heartbeat.
No reference instance runs on this machine (no Postgres), so values are checked against these rules, not diffed.
"""
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import API_KEY

FLOW_KEYS = ["flow_id", "user_name", "ts_epoch", "tags", "system_tags"]
RUN_KEYS = ["flow_id", "run_number", "run_id", "user_name", "user", "run", "status", "ts_epoch", "finished_at",
            "duration", "last_heartbeat_ts", "tags", "system_tags"]
STEP_KEYS = ["flow_id", "run_number", "run_id", "step_name", "user_name", "ts_epoch", "duration", "tags",
             "system_tags"]
TASK_KEYS = ["flow_id", "run_number", "run_id", "step_name", "task_id", "task_name", "user_name", "status",
             "task_ok", "ts_epoch", "started_at", "finished_at", "duration", "attempt_id", "tags", "system_tags",
             "last_heartbeat_ts"]
METADATA_KEYS = ["id", "flow_id", "run_number", "run_id", "step_name", "task_id", "task_name", "attempt_id",
                 "field_name", "value", "type", "user_name", "ts_epoch", "tags", "system_tags"]
ARTIFACT_KEYS = ["flow_id", "run_number", "run_id", "step_name", "task_id", "task_name", "name", "location",
                 "ds_type", "sha", "type", "content_type", "user_name", "attempt_id", "ts_epoch", "tags",
                 "system_tags"]
OPTIONAL_INT = (int, type(None))


def api(url, path, expect=200):
    status, body = _get(url, path)
    assert status == expect, f"GET /api{path}: {status} {body[:500]}"
    return json.loads(body)


def _get(url, path):
    request = urllib.request.Request(url + "/api" + path, headers={"x-api-key": API_KEY})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    return status, body


def assert_list_envelope(body, page=1):
    assert list(body) == ["data", "status", "links", "pages", "query"]
    assert body["status"] == 200 and isinstance(body["data"], list)
    assert list(body["links"]) == ["self", "first", "prev", "next", "last"]
    assert body["pages"]["self"] == page and body["pages"]["first"] == 1 and body["pages"]["prev"] == max(page - 1, 1)
    assert body["pages"]["last"] is None and body["links"]["last"] is None
    assert "_page=1" in body["links"]["first"] and body["links"]["self"].startswith("http://127.0.0.1:")


def assert_single(body):
    assert list(body) == ["data", "status", "links", "query"] and body["status"] == 200
    assert list(body["links"]) == ["self"]
    return body["data"]


def assert_run_shape(run):
    assert list(run) == RUN_KEYS
    assert isinstance(run["run_number"], int) and run["run_id"] is None and run["run"] == str(run["run_number"])
    assert run["status"] in ("running", "completed", "failed")
    assert isinstance(run["ts_epoch"], int)
    for key in ("finished_at", "duration", "last_heartbeat_ts"):
        assert isinstance(run[key], OPTIONAL_INT), key
    assert run["user"] == run["user_name"] and f"user:{run['user_name']}" in run["system_tags"]
    assert run["tags"] == sorted(run["tags"]) and isinstance(run["system_tags"], list)


@pytest.fixture(scope="module")
def ui_runs(metaflow_env, tmp_path_factory):
    """A gated run (seen running, then completed), a linear run, a @retry run and a run failing in end."""
    mf = metaflow_env
    tag = "ui_" + uuid.uuid4().hex[:8]
    gate = tmp_path_factory.mktemp("gate") / "open"
    results = {}

    def run(name, flow, expect_ok=True, env=None):
        results[name] = mf.run(flow, "--tag", tag, env=env, expect_ok=expect_ok)

    gated = threading.Thread(target=run, args=("gated", "gated_flow.py"), kwargs={"env": {"E2E_GATE_FILE": str(gate)}})
    gated.start()
    others = [threading.Thread(target=run, args=a, kwargs=k) for a, k in [
        (("linear", "linear_flow.py"), {}), (("retry", "retry_flow.py"), {}),
        (("fail_end", "fail_end_flow.py"), {"expect_ok": False})]]
    for t in others:
        t.start()
    # the gated run, while its start step waits: running, no finished_at
    deadline = time.time() + 120
    running = None
    while time.time() < deadline:
        status, body = _get(mf.url, f"/flows/GatedFlow/runs?_tags={tag}")  # 404 until the flow exists
        rows = json.loads(body)["data"] if status == 200 else []
        if rows and rows[0]["last_heartbeat_ts"] is not None:
            running = rows[0]
            break
        time.sleep(0.5)
    gate.write_text("open")
    for t in [gated, *others]:
        t.join(timeout=300)
    assert running is not None, "the gated run never appeared with a heartbeat"
    return {"tag": tag, "running": running, **{k: v[0] for k, v in results.items()}}


def test_flows_list_and_single_flow(ui_runs, platform_url):
    body = api(platform_url, "/flows?_limit=1000")
    assert_list_envelope(body)
    flows = {f["flow_id"]: f for f in body["data"]}
    assert {"GatedFlow", "LinearFlow", "RetryFlow", "FailEndFlow"} <= set(flows)
    for flow in flows.values():
        assert list(flow) == FLOW_KEYS and isinstance(flow["ts_epoch"], int)
    flow = assert_single(api(platform_url, "/flows/LinearFlow"))
    assert flow == flows["LinearFlow"]
    missing = api(platform_url, "/flows/NoSuchFlowAnywhere", expect=404)
    assert missing["status"] == 404


def test_run_is_running_while_a_step_works_then_completed(ui_runs, platform_url):
    running = ui_runs["running"]
    assert_run_shape(running)
    assert running["status"] == "running" and running["finished_at"] is None
    assert running["run"] == ui_runs["gated"]
    done = assert_single(api(platform_url, f"/flows/GatedFlow/runs/{ui_runs['gated']}"))
    assert_run_shape(done)
    assert done["status"] == "completed"
    assert done["finished_at"] >= done["ts_epoch"] and done["duration"] == done["finished_at"] - done["ts_epoch"]
    assert ui_runs["tag"] in done["tags"]


def test_run_failing_in_end_is_failed(ui_runs, platform_url):
    run = assert_single(api(platform_url, f"/flows/FailEndFlow/runs/{ui_runs['fail_end']}"))
    assert_run_shape(run)
    assert run["status"] == "failed" and run["finished_at"] >= run["ts_epoch"]
    tasks = api(platform_url, f"/flows/FailEndFlow/runs/{ui_runs['fail_end']}/steps/end/tasks")["data"]
    assert [t["status"] for t in tasks] == ["failed"]


def test_steps_and_single_step(ui_runs, platform_url):
    path = f"/flows/LinearFlow/runs/{ui_runs['linear']}/steps"
    body = api(platform_url, path)
    assert_list_envelope(body)
    steps = {s["step_name"]: s for s in body["data"]}
    assert {"start", "middle", "end"} <= set(steps)
    for step in steps.values():
        assert list(step) == STEP_KEYS and isinstance(step["run_number"], int) and step["run_id"] is None
        assert isinstance(step["duration"], int) and step["duration"] >= 0
        assert ui_runs["tag"] in step["tags"]  # the run's tags, as the reference applies them
    assert assert_single(api(platform_url, path + "/middle")) == steps["middle"]


def test_tasks_one_row_per_attempt_newest_first(ui_runs, platform_url):
    path = f"/flows/RetryFlow/runs/{ui_runs['retry']}/steps/flaky/tasks"
    body = api(platform_url, path)
    assert_list_envelope(body)
    rows = body["data"]
    for row in rows:
        assert list(row) == TASK_KEYS
        assert isinstance(row["task_id"], int) and row["task_name"] is None and isinstance(row["attempt_id"], int)
        for key in ("started_at", "finished_at", "duration", "last_heartbeat_ts"):
            assert isinstance(row[key], OPTIONAL_INT), key
    assert [(r["attempt_id"], r["status"]) for r in rows] == [(1, "completed"), (0, "failed")]
    assert rows[0]["task_id"] == rows[1]["task_id"]
    newest, first = rows
    assert newest["started_at"] >= first["started_at"] and newest["finished_at"] >= newest["started_at"]
    assert newest["duration"] == newest["finished_at"] - newest["started_at"]
    task = assert_single(api(platform_url, f"{path}/{newest['task_id']}"))
    assert task == newest  # a single task is its newest attempt
    attempts = api(platform_url, f"{path}/{newest['task_id']}/attempts")
    assert_list_envelope(attempts)
    assert attempts["data"] == rows


def test_run_tasks_lists_every_step_s_task_attempts(ui_runs, platform_url):
    body = api(platform_url, f"/flows/RetryFlow/runs/{ui_runs['retry']}/tasks?_limit=100&_order=%2Bts_epoch")
    assert_list_envelope(body)
    rows = body["data"]
    assert all(list(r) == TASK_KEYS for r in rows)
    assert [(r["step_name"], r["attempt_id"], r["status"]) for r in rows if r["step_name"] != "_parameters"] == [
        ("start", 0, "completed"), ("flaky", 1, "completed"), ("flaky", 0, "failed"), ("end", 0, "completed")]
    assert [r["ts_epoch"] for r in rows] == sorted(r["ts_epoch"] for r in rows)


def test_task_metadata_and_artifacts(ui_runs, platform_url):
    tasks = api(platform_url, f"/flows/LinearFlow/runs/{ui_runs['linear']}/steps/start/tasks")["data"]
    assert [t["status"] for t in tasks] == ["completed"]
    base = f"/flows/LinearFlow/runs/{ui_runs['linear']}/steps/start/tasks/{tasks[0]['task_id']}"
    metadata = api(platform_url, base + "/metadata?_limit=100")
    assert_list_envelope(metadata)
    for row in metadata["data"]:
        assert list(row) == METADATA_KEYS and isinstance(row["id"], int) and isinstance(row["attempt_id"], int)
    fields = {row["field_name"] for row in metadata["data"]}
    assert {"attempt", "attempt_ok"} <= fields
    artifacts = api(platform_url, base + "/artifacts?_limit=100")
    assert_list_envelope(artifacts)
    for row in artifacts["data"]:
        assert list(row) == ARTIFACT_KEYS and row["attempt_id"] == 0 and isinstance(row["task_id"], int)
    assert {"greeting", "_task_ok"} <= {row["name"] for row in artifacts["data"]}


def test_runs_across_flows_ordered_paged_and_filtered(ui_runs, platform_url):
    tag = ui_runs["tag"]
    first = api(platform_url, f"/runs?_order=-ts_epoch&_limit=3&_tags={tag}")
    assert_list_envelope(first)
    assert first["query"] == {"_order": "-ts_epoch", "_limit": "3", "_tags": tag}
    assert first["pages"]["next"] == 2 and "_page=2" in first["links"]["next"]
    assert f"_tags={tag}" in first["links"]["next"] and "_order=-ts_epoch" in first["links"]["next"]
    second = api(platform_url, f"/runs?_order=-ts_epoch&_limit=3&_tags={tag}&_page=2")
    assert_list_envelope(second, page=2)
    assert second["pages"]["next"] is None and second["links"]["next"] is None  # 1 row < limit
    rows = first["data"] + second["data"]
    assert len(rows) == 4 and {r["flow_id"] for r in rows} == {"GatedFlow", "LinearFlow", "RetryFlow", "FailEndFlow"}
    assert [r["ts_epoch"] for r in rows] == sorted((r["ts_epoch"] for r in rows), reverse=True)
    for row in rows:
        assert_run_shape(row)
    failed = api(platform_url, f"/runs?_tags={tag}&status=failed")["data"]
    assert [r["flow_id"] for r in failed] == ["FailEndFlow"]
    one_flow = api(platform_url, f"/runs?_tags={tag}&flow_id=RetryFlow")["data"]
    assert [r["run"] for r in one_flow] == [ui_runs["retry"]]
    ascending = api(platform_url, f"/flows/LinearFlow/runs?_order=%2Bts_epoch&_limit=1000")["data"]
    assert [r["ts_epoch"] for r in ascending] == sorted(r["ts_epoch"] for r in ascending)


def test_bad_paging_input_is_a_400_naming_the_field(ui_runs, platform_url):
    body = api(platform_url, "/runs?_limit=many", expect=400)
    assert body["field"] == "_limit"

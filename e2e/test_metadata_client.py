"""The judge of the metadata API: the real Metaflow client runs flows against Flowgate's local platform
(`--metadata=service`) and reads them back through the client API, asserting every value."""
import pytest

from conftest import service_get


def test_ping_advertises_a_service_version_the_client_accepts(platform_url):
    status, headers, body = service_get(platform_url, "/ping")
    assert (status, body) == (200, "pong")
    version = headers["metadata_service_version"]
    assert tuple(int(p) for p in version.split(".")) >= (2, 5, 0)


def test_linear_run_reads_back_through_the_client(client, runs, metaflow_env):
    Flow, Run, Metaflow, namespace = client.Flow, client.Run, client.Metaflow, client.namespace
    namespace(None)
    run = Run(f"LinearFlow/{runs['linear']}")
    assert run.successful and run.finished
    assert run.id == runs["linear"] and run.id.isdigit()
    assert {s.id for s in run} == {"start", "middle", "end"}
    assert run.data.summary == "hello 42"
    assert run["middle"].task.data.count == 42
    assert run["start"].task["greeting"].data == "hello"
    end = run["end"].task
    assert end.successful and end.finished
    assert end.metadata_dict["attempt"] == "0"
    assert f"user:{metaflow_env.user}" in run.system_tags
    assert {metaflow_env.session_tag, "keep_me"} <= run.user_tags
    assert "LinearFlow" in [f.id for f in Metaflow().flows]
    assert run.pathspec in [r.pathspec for r in Flow("LinearFlow").runs()]
    assert [r.pathspec for r in Flow("LinearFlow").runs(metaflow_env.session_tag)] == [run.pathspec]


def test_heartbeats_and_id_types_on_the_wire(client, runs, platform_url):
    import json

    _, _, body = service_get(platform_url, f"/flows/LinearFlow/runs/{runs['linear']}")
    run = json.loads(body)
    assert run["run_number"] == int(runs["linear"])  # a JSON number, not a string
    assert isinstance(run["last_heartbeat_ts"], int) and run["last_heartbeat_ts"] > 1_600_000_000  # epoch seconds
    assert run["ts_epoch"] > 1_600_000_000_000  # epoch milliseconds
    _, _, body = service_get(platform_url, f"/flows/LinearFlow/runs/{runs['linear']}/steps/end/tasks")
    (task,) = json.loads(body)
    assert isinstance(task["task_id"], int)
    assert isinstance(task["last_heartbeat_ts"], int)


def test_default_namespace_is_the_user_and_namespace_none_sees_everything(client, runs, metaflow_env):
    Flow, namespace = client.Flow, client.namespace
    namespace(f"user:{metaflow_env.user}")
    mine = [r.id for r in Flow("LinearFlow").runs()]
    assert runs["linear"] in mine
    namespace("user:somebody_else_entirely")
    with pytest.raises(client.exception.MetaflowNamespaceMismatch):
        Flow("LinearFlow")
    namespace(None)
    assert runs["linear"] in [r.id for r in Flow("LinearFlow").runs()]


def test_static_branch_and_join(client, runs):
    client.namespace(None)
    run = client.Run(f"BranchFlow/{runs['branch']}")
    assert run.successful
    assert run.data.values == [11, 12]
    assert run.data.total == 33
    join = run["join"].task
    assert sorted(t.parent.id for t in join.parent_tasks) == ["left", "right"]
    assert [t.parent.id for t in run["start"].task.child_tasks] in (["left", "right"], ["right", "left"])


def test_foreach_and_join(client, runs):
    client.namespace(None)
    run = client.Run(f"ForeachFlow/{runs['foreach']}")
    assert run.successful
    tasks = list(run["square"])
    assert len(tasks) == 3
    assert sorted(t.data.squared for t in tasks) == [1, 4, 9]
    assert len({t.id for t in tasks}) == 3
    assert run["join"].task.data.squares == [1, 4, 9]
    assert run.data.total == 14
    one = next(t for t in tasks if t.data.number == 2)
    assert [t.pathspec for t in one.parent_tasks] == [run["start"].task.pathspec]
    assert [t.pathspec for t in one.child_tasks] == [run["join"].task.pathspec]
    assert sorted(t.pathspec for t in run["join"].task.parent_tasks) == sorted(t.pathspec for t in tasks)


def test_parameters(client, runs):
    client.namespace(None)
    run = client.Run(f"ParamsFlow/{runs['params']}")
    assert run.successful
    assert run.data.alpha == 2.5
    assert run.data.label == "tuned"
    assert run["start"].task.data.scaled == 5.0
    assert run.data.message == "tuned:5.0"


def test_retry_succeeds_on_the_second_attempt(client, runs):
    client.namespace(None)
    run = client.Run(f"RetryFlow/{runs['retry']}")
    assert run.successful
    flaky = run["flaky"].task
    assert flaky.successful and flaky.current_attempt == 1
    assert flaky.data.attempt_seen == 1
    assert flaky.metadata_dict["attempt"] == "1"
    attempts = sorted({int(m.value) for m in flaky.metadata if m.name == "attempt"})
    assert attempts == [0, 1]
    first = client.Task(flaky.pathspec, attempt=0)
    assert first.current_attempt == 0
    assert not first.successful
    assert run.data.done is True


def test_failed_run_then_resume(client, runs):
    client.namespace(None)
    failed = client.Run(f"ResumeFlow/{runs['resume']['failed']}")
    assert not failed.successful
    assert not failed.finished
    assert "middle" in [s.id for s in failed]
    assert failed["start"].task.successful
    assert not failed["middle"].task.successful
    resumed = client.Run(f"ResumeFlow/{runs['resume']['resumed']}")
    assert resumed.id != failed.id
    assert resumed.successful and resumed.finished
    assert resumed.data.summary == "from the original run, resume"
    start = resumed["start"].task
    assert start.metadata_dict["origin-run-id"] == failed.id
    assert start.data.prepared == "from the original run"


def test_tag_mutation_through_the_client(client, runs, metaflow_env):
    client.namespace(None)
    from metaflow.exception import MetaflowTaggingError

    pathspec = f"ParamsFlow/{runs['params']}"
    run = client.Run(pathspec)
    run.add_tag("prod_ready")
    run.add_tags(["alpha_two", "beta"])
    assert {"prod_ready", "alpha_two", "beta"} <= client.Run(pathspec).user_tags
    assert pathspec in [r.pathspec for r in client.Flow("ParamsFlow").runs("prod_ready")]
    run.remove_tag("beta")
    assert "beta" not in client.Run(pathspec).user_tags
    run.replace_tag("alpha_two", "alpha_three")
    tags = client.Run(pathspec).user_tags
    assert "alpha_three" in tags and "alpha_two" not in tags
    # every descendant reads the run's current tags
    assert "alpha_three" in client.Run(pathspec)["end"].task.tags
    with pytest.raises(MetaflowTaggingError):
        run.remove_tag(f"user:{metaflow_env.user}")
    assert f"user:{metaflow_env.user}" in client.Run(pathspec).system_tags
    run.remove_tag("prod_ready")
    assert pathspec not in [r.pathspec for r in client.Flow("ParamsFlow").runs("prod_ready")]


def test_tag_mutation_through_the_cli(client, runs, metaflow_env):
    client.namespace(None)
    run_id = runs["branch"]
    metaflow_env.cli("branch_flow.py", "tag", "add", "--run-id", run_id, "cli_added")
    assert "cli_added" in client.Run(f"BranchFlow/{run_id}").user_tags
    metaflow_env.cli("branch_flow.py", "tag", "replace", "--run-id", run_id,
                     "--remove", "cli_added", "--add", "cli_replaced")
    tags = client.Run(f"BranchFlow/{run_id}").user_tags
    assert "cli_replaced" in tags and "cli_added" not in tags


def test_non_ascii_flow_name_tag_and_artifacts_read_back(client, runs, platform_url):
    import json
    import urllib.parse

    client.namespace(None)
    run = client.Run(f"FlüßFlow/{runs['unicode']}")
    assert run.successful
    assert run.data.grüße == "Grüße aus Köln — 東京"
    assert run.data.länge == len("Grüße aus Köln — 東京")
    assert "größe" in run.user_tags
    assert "FlüßFlow" in [f.id for f in client.Metaflow().flows]
    assert [r.id for r in client.Flow("FlüßFlow").runs("größe")] == [runs["unicode"]]
    _, _, body = service_get(platform_url, "/flows/" + urllib.parse.quote("FlüßFlow"))
    assert json.loads(body)["flow_id"] == "FlüßFlow"

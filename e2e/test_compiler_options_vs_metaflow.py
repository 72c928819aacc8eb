"""`--use-distributed-map --max-workers --workflow-timeout`: Flowgate against the real Metaflow, structurally.

Both compile the same foreach flows with the same options (moto + stub metadata service, compiler_support.py).
What must agree: the execution timeout, METAFLOW_SFN_WORKFLOW_TIMEOUT on exactly the foreach steps, every foreach
Map distributed with the same concurrency and the same steps in its body, run ids read from the input inside
the child executions. Flowgate's deliberate difference (functions/flow-compiler/README.md, "Distributed Map"):
no ResultWriter and no two read-back states; the Map keeps its input and the join's split parent is the
foreach step's JobId.
"""
import pytest

from compiler_support import ROOT, MetaflowOffline

FLOWS = {
    "hyperparameter_sweep": ROOT / "examples" / "hyperparameter_sweep" / "sweep_flow.py",
    "nested_distributed": ROOT / "functions" / "flow-compiler" / "src" / "test" / "resources" / "flows"
    / "distributed_nested_foreach_flow.py",
}
OPTIONS = ["--use-distributed-map", "--max-workers", "500", "--workflow-timeout", "86400"]
BATCH = "arn:aws:states:::batch:submitJob.sync"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    results = {}
    with MetaflowOffline(tmp_path_factory.mktemp("options")) as offline:
        for key, flow in FLOWS.items():
            metaflow, log = offline.metaflow_json(flow, options=OPTIONS)
            results[key] = (metaflow, log, offline.flowgate_json(flow, options=OPTIONS))
    return results


def _pair(compiled, key):
    metaflow, log, flowgate = compiled[key]
    if metaflow is None:
        if "EndpointConnectionError" in log or "Could not connect" in log:
            pytest.skip(f"Metaflow could not reach the offline AWS emulation for {key}: {log[-400:]}")
        pytest.fail(f"Metaflow refused {key}: {log}")
    return metaflow, flowgate


def _body(state):
    return (state.get("ItemProcessor") or state["Iterator"])


def _states(states, prefix=""):
    for name, state in states.items():
        yield prefix + name, name, state
        for i, branch in enumerate(state.get("Branches", [])):
            yield from _states(branch["States"], f"{prefix}{name}/branch{i}/")
        if state["Type"] == "Map":
            yield from _states(_body(state)["States"], f"{prefix}{name}/body/")


def _batch(definition):
    return {name: state for _, name, state in _states(definition["States"]) if state.get("Resource") == BATCH}


def _path(definition, step):
    return next(path for path, name, _ in _states(definition["States"]) if name == step)


def _env(state):
    return {e["Name"]: e.get("Value.$", e.get("Value")) for e in state["Parameters"]["ContainerOverrides"]["Environment"]}


def _maps(definition):
    return {name: state for _, name, state in _states(definition["States"]) if state["Type"] == "Map"}


@pytest.mark.parametrize("key", FLOWS)
def test_workflow_timeout_same_as_metaflow(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    assert metaflow["TimeoutSeconds"] == flowgate["TimeoutSeconds"] == 86400
    mf_batch, fg_batch = _batch(metaflow), _batch(flowgate)
    assert mf_batch.keys() == fg_batch.keys()
    mf_steps = {n for n, s in mf_batch.items() if "METAFLOW_SFN_WORKFLOW_TIMEOUT" in _env(s)}
    fg_steps = {n for n, s in fg_batch.items() if "METAFLOW_SFN_WORKFLOW_TIMEOUT" in _env(s)}
    foreach_steps = {n for n, s in fg_batch.items() if s.get("Next", "").startswith("#")}
    # Metaflow sets it only on a foreach step inside another foreach (the branch sits under `is_inside_foreach`
    # in step_functions.py), so an outermost foreach's DynamoDB item keeps the 366-day default TTL; Flowgate sets
    # it on every foreach step, as the shared spec says (a deliberate difference, README "Where the shared spec
    # and Metaflow differ")
    assert fg_steps == foreach_steps
    assert mf_steps == {n for n in foreach_steps if "/body/" in _path(flowgate, n)}
    for name in mf_steps:
        assert str(_env(mf_batch[name])["METAFLOW_SFN_WORKFLOW_TIMEOUT"]) == "86400"
    for name in fg_steps:
        # a string, as Batch's ContainerOverrides environment requires
        assert _env(fg_batch[name])["METAFLOW_SFN_WORKFLOW_TIMEOUT"] == "86400"


@pytest.mark.parametrize("key", FLOWS)
def test_every_foreach_is_a_distributed_map_with_the_same_body(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    fg_maps = _maps(flowgate)
    mf_foreach_maps = {n: s for n, s in _maps(metaflow).items() if not n.endswith("_*Map")}
    assert fg_maps.keys() == mf_foreach_maps.keys()
    for name, fg in fg_maps.items():
        mf = mf_foreach_maps[name]
        assert _body(mf)["ProcessorConfig"] == _body(fg)["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
        assert mf["MaxConcurrency"] == fg["MaxConcurrency"] == 500
        assert mf["ItemsPath"] == fg["ItemsPath"]
        assert mf["Parameters"] == fg["ItemSelector"]
        assert _body(mf)["StartAt"] == _body(fg)["StartAt"]
        read_back = {n for n in _body(mf)["States"] if n.endswith(("_*GetManifest", "_*Map"))}
        assert set(_body(mf)["States"]) - read_back == set(_body(fg)["States"])
    for name, state in _batch(flowgate).items():
        if name != flowgate["StartAt"]:
            # child executions have their own $$.Execution.Name: the run id comes from the input, as in Metaflow
            assert state["Parameters"]["Parameters"]["metaflow.run_id.$"] == "$.Parameters.run_id", name
            assert _batch(metaflow)[name]["Parameters"]["Parameters"]["metaflow.run_id.$"].startswith("$.")


@pytest.mark.parametrize("key", FLOWS)
def test_deliberate_difference_no_s3_round_trip(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    mf_maps, fg_maps = _maps(metaflow), _maps(flowgate)
    mf_all = {name for _, name, _ in _states(metaflow["States"])}
    fg_all = {name for _, name, _ in _states(flowgate["States"])}
    for name, fg in fg_maps.items():
        mf = mf_maps[name]
        assert mf["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
        assert mf["ResultWriter"]["Parameters"]["Prefix"].endswith("sfn_distributed_map_output")
        assert mf["Next"] == name + "_*GetManifest" and {name + "_*GetManifest", name + "_*Map"} <= mf_all
        assert "ResultWriter" not in fg and fg["ResultPath"] is None and "OutputPath" not in fg
        join = fg["Next"]
        assert mf_maps[name + "_*Map"]["Next"] == join
        foreach = next(n for n, s in _batch(flowgate).items() if s.get("Next") == "#" + _body(fg)["StartAt"])
        assert _env(_batch(metaflow)[join])["METAFLOW_SPLIT_PARENT_TASK_ID"] == "$.Parameters.split_parent_task_id_" + foreach
        assert _env(_batch(flowgate)[join])["METAFLOW_SPLIT_PARENT_TASK_ID"] == "$.JobId"
    assert mf_all - fg_all == {n for m in fg_maps for n in (m + "_*GetManifest", m + "_*Map", m + "_*Pass")}

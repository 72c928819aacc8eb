"""`--use-distributed-map --max-workers --workflow-timeout`: Flowgate against the real Metaflow, structurally.

Both compile the same foreach flows with the same options (moto + stub metadata service, compiler_support.py).
What must agree: the execution timeout, METAFLOW_SFN_WORKFLOW_TIMEOUT on exactly the foreach steps, every foreach
Map distributed with the same concurrency and the same steps in its body, run ids read from the input inside
the child executions. Flowgate's deliberate difference (functions/flow-compiler/README.md, "Distributed Map"):
no ResultWriter and no two read-back states; the Map keeps its input and the join's split parent is the
foreach step's JobId.
"""
import json

import pytest

from compiler_support import ROOT, MetaflowOffline
from test_compiler_vs_metaflow import PER_DEPLOYMENT, normalise_command

FLOWS = {
    "hyperparameter_sweep": ROOT / "examples" / "hyperparameter_sweep" / "sweep_flow.py",
    "nested_distributed": ROOT / "functions" / "flow-compiler" / "src" / "test" / "resources" / "flows"
    / "distributed_nested_foreach_flow.py",
}
OPTIONS = ["--use-distributed-map", "--max-workers", "500", "--workflow-timeout", "86400"]
BATCH = "arn:aws:states:::batch:submitJob.sync"


# `--tag` (issue 13): tags on every run of the deployment; Metaflow pastes them into the commands unquoted, so the
# comparison uses tags that need no quoting (Flowgate quotes the others, see ContainerCommand.tagOptions)
TAGS = ["--tag", "team:ranking", "--tag", "nightly", "--tag", "team:ranking"]
TAGGED = {"tagged_nested_foreach": ROOT / "functions" / "flow-compiler" / "src" / "test" / "resources" / "flows"
          / "foreach_flow.py"}
# settings Metaflow's Batch layer forwards from the config into every container (batch.py create_job)
FORWARDED_SETTINGS = {
    "METAFLOW_CARD_S3ROOT": "s3://flowgate-compare-datastore/team-cards",
    "METAFLOW_OTEL_ENDPOINT": "http://otel-collector.internal:4318/v1/traces",
    "METAFLOW_OTEL_SERVICE_NAME": "ranking-flows",
    "METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE": "aws-secrets-manager",
    "METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION": "eu-west-1",
    "METAFLOW_S3_SERVER_SIDE_ENCRYPTION": "aws:kms",
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    results = {}
    with MetaflowOffline(tmp_path_factory.mktemp("options")) as offline:
        for key, flow in FLOWS.items():
            metaflow, log = offline.metaflow_json(flow, options=OPTIONS)
            results[key] = (metaflow, log, offline.flowgate_json(flow, options=OPTIONS))
        # the same settings file for both, with the card root, OpenTelemetry and secrets settings a team sets
        offline.settings.update(FORWARDED_SETTINGS)
        offline.settings_file.write_text(json.dumps(offline.settings, indent=2))
        for key, flow in TAGGED.items():
            metaflow, log = offline.metaflow_json(flow, options=TAGS)
            results[key] = (metaflow, log, offline.flowgate_json(flow, options=TAGS))
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


def _container_env(flowgate, state):
    """Flowgate's effective container environment: the job definition's plus the state's overrides."""
    definition = next(d for d in flowgate["job_definitions"] if d["jobDefinitionName"] == state["Parameters"]["JobDefinition"])
    shared = {e["name"]: e["value"] for e in definition["containerProperties"]["environment"]}
    return {**shared, **_env(state)}


def test_tags_reach_init_and_every_step_command_as_in_metaflow(compiled):
    metaflow, flowgate = _pair(compiled, "tagged_nested_foreach")
    mf_batch, fg_batch = _batch(metaflow), _batch(flowgate)
    assert mf_batch.keys() == fg_batch.keys()
    for name, mf in mf_batch.items():
        mf_command = mf["Parameters"]["ContainerOverrides"]["Command"][2]
        fg_command = fg_batch[name]["Parameters"]["ContainerOverrides"]["Command"][2]
        assert normalise_command(fg_command).split() == normalise_command(mf_command).split(), name
        # each step, and the start step's init, carries every tag in the order given (repeats kept)
        expected = mf_command.count(" step ") + mf_command.count(" init ")
        assert fg_command.count("--tag team:ranking --tag nightly --tag team:ranking") == expected >= 1, name


def test_card_root_and_telemetry_settings_reach_every_container_as_in_metaflow(compiled):
    metaflow, flowgate = _pair(compiled, "tagged_nested_foreach")
    fg_batch = _batch(flowgate)
    for name, mf in _batch(metaflow).items():
        mf_env = {e["Name"]: e.get("Value", e.get("Value.$")) for e in mf["Parameters"]["ContainerOverrides"]["Environment"]}
        fg_env = _container_env(flowgate, fg_batch[name])
        for setting, value in FORWARDED_SETTINGS.items():
            assert mf_env[setting] == fg_env[setting] == value, (name, setting)
        assert set(mf_env) == set(fg_env) - {"METAFLOW_INPUT_PATHS"} | ({"METAFLOW_INPUT_PATHS"} & set(mf_env)), name
        for setting, value in mf_env.items():
            if setting not in PER_DEPLOYMENT and not str(value).startswith("$"):
                assert fg_env[setting] == value, (name, setting)

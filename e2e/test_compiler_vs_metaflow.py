"""Flowgate's compiler against the real Metaflow's `step-functions create --only-json`, structurally.

Both tools compile the same flow with the same settings values (moto + stub metadata service, see
compiler_support.py). Values that legitimately differ per deployment (code package URL/SHA, job definition
names, production token, owner, versions, random temp file names) are normalised; Flowgate's deliberate
differences are asserted explicitly.
"""
import re

import pytest

from compiler_support import ROOT, MetaflowOffline
from effective_container import canonical, merge

CORPUS = ROOT / "functions" / "flow-compiler" / "src" / "test" / "resources" / "flows"
FLOWS = {
    "hello_world": ROOT / "examples" / "hello_world" / "hello_flow.py",
    "hyperparameter_sweep": ROOT / "examples" / "hyperparameter_sweep" / "sweep_flow.py",
    "resilient_steps": ROOT / "examples" / "resilient_steps" / "resilient_flow.py",
    "scheduled_retraining": ROOT / "examples" / "scheduled_retraining" / "retrain_flow.py",
    "branch_flow": CORPUS / "branch_flow.py",
    "resources_flow": CORPUS / "resources_flow.py",
    "nested_foreach_project": CORPUS / "foreach_flow.py",
    "custom_start_end": CORPUS / "custom_named_flow.py",
    "single_step": CORPUS / "single_step_flow.py",
    "config_includefile_efa": CORPUS / "config_flow.py",
    "inherited": CORPUS / "inherited_flow.py",
    "config_driven": CORPUS / "config_driven_flow.py",
    "expressions": CORPUS / "expressions_flow.py",
    "mutators_batch_queue": ROOT / "e2e" / "flows" / "batch_mutated_flow.py",
    "every_batch_setting": ROOT / "e2e" / "flows" / "batch_settings_flow.py",
}
# Flows whose decorators come from mutators: Flowgate never runs them and compiles with the record Metaflow's own
# `init` writes for a run (`_graph_info`, see MetaflowOffline.graph_info), as deployments do with the prod_ready run's.
WITH_RECORD = {"mutators_batch_queue"}
BATCH = "arn:aws:states:::batch:submitJob.sync"
METAFLOW_OUTPUT_PATH = "$.['JobId', 'Parameters', 'Index', 'SplitParentTaskId']"

# Environment variable names one side has and the other has not, each with the reason it is harmless.
FLOWGATE_OMITS = {
    "METAFLOW_CARD_S3ROOT": "Metaflow's config derives it from METAFLOW_DATASTORE_SYSROOT_S3 inside the container",
    "METAFLOW_OTEL_SERVICE_NAME": "it is Metaflow's config default ('metaflow'), so the container gets it anyway",
}
FLOWGATE_ADDS_ON_ENTRY = {
    "METAFLOW_INPUT_PATHS": "Flowgate also exports the entry step's literal input path; the command has it too",
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """flow key -> (Metaflow definition or skip reason, Flowgate definition)."""
    results = {}
    with MetaflowOffline(tmp_path_factory.mktemp("compare")) as offline:
        for key, flow in FLOWS.items():
            metaflow, log = offline.metaflow_json(flow)
            options = ["--graph-info", str(offline.graph_info(flow, offline.workdir / f"{key}.graph_info.json"))] \
                if key in WITH_RECORD else []
            results[key] = (metaflow, log, offline.flowgate_json(flow, options=options))
        METAFLOW_JOB_IMAGES.update(_registered_images(offline))
        METAFLOW_JOB_DEFINITIONS.update(offline.registered_job_definitions())
    return results


# job definition ARN -> image of every job definition Metaflow registered while compiling (read from moto)
METAFLOW_JOB_IMAGES = {}
# job definition ARN -> the whole job definition Metaflow registered (read from moto)
METAFLOW_JOB_DEFINITIONS = {}


def _registered_images(offline):
    import os
    import boto3
    saved = dict(os.environ)
    os.environ.update(offline._aws_env())
    try:
        pages = boto3.client("batch").get_paginator("describe_job_definitions").paginate()
        return {d["jobDefinitionArn"]: d["containerProperties"]["image"]
                for page in pages for d in page["jobDefinitions"] if "containerProperties" in d}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _pair(compiled, key):
    metaflow, log, flowgate = compiled[key]
    if metaflow is None:
        if "EndpointConnectionError" in log or "Could not connect" in log:
            pytest.skip(f"Metaflow could not reach the offline AWS emulation for {key}: {log[-400:]}")
        pytest.fail(f"Metaflow refused {key}: {log}")
    return metaflow, flowgate


def _states(states, prefix=""):
    """Every state, flattened with its path (Parallel branches and Map iterators included)."""
    for name, state in states.items():
        path = prefix + name
        yield path, state
        for i, branch in enumerate(state.get("Branches", [])):
            yield from _states(branch["States"], f"{path}/branch{i}/")
        if "Iterator" in state:
            yield from _states(state["Iterator"]["States"], f"{path}/iterator/")


def _shape(definition):
    """The control structure: StartAt plus per state Type, Next/End, branch and iterator StartAt."""
    def walk(states):
        return {name: {"Type": s["Type"], "Next": s.get("Next"), "End": s.get("End", False),
                       "Branches": [(b["StartAt"], walk(b["States"])) for b in s.get("Branches", [])],
                       "Iterator": (s["Iterator"]["StartAt"], walk(s["Iterator"]["States"]))
                       if "Iterator" in s else None}
                for name, s in states.items()}
    return definition["StartAt"], walk(definition["States"])


def _batch_states(definition):
    return {path: s for path, s in _states(definition["States"]) if s.get("Resource") == BATCH}


def _env(state):
    return state["Parameters"]["ContainerOverrides"]["Environment"]


def _flowgate_env(flowgate, state):
    """A Flowgate task's whole environment: the job definition's (shared by every step) plus its overrides."""
    name = state["Parameters"]["JobDefinition"]
    definition = next(d for d in flowgate["job_definitions"] if d["jobDefinitionName"] == name)
    container = definition.get("containerProperties") or definition["nodeProperties"]["nodeRangeProperties"][0]["container"]
    shared = {e["name"]: e["value"] for e in container.get("environment", [])}
    own = {e["Name"]: e.get("Value", e.get("Value.$")) for e in _env(state)}
    assert not set(shared) & set(own), "a variable is set in both the job definition and the overrides"
    return {**shared, **own}


def _command(state):
    return state["Parameters"]["ContainerOverrides"]["Command"][2]


def normalise_command(command):
    """Replaces the values that legitimately differ between two deployments of the same flow."""
    c = re.sub(r"metaflow/\w+/data/[0-9a-f]{2}/[0-9a-f]{40}", "metaflow/<code-package-url>", command)
    c = re.sub(r"(set_batch_environment \w+) (\S+) && \. `pwd`/\2", r"\1 <tmp> && . `pwd`/<tmp>", c)
    # Flowgate's deliberate differences (issue 12: no value reaches a shell unquoted or sourced), mapped back to
    # Metaflow's form so that everything else is still compared word for word:
    # - the package's bucket and key are python arguments instead of text pasted into the program
    c = re.sub(r"python -c 'import boto3, os, sys; (.*?)download_file\(sys\.argv\[1\], sys\.argv\[2\], \"job\.tar\"\)' \S+ \S+ &&",
               lambda m: "python -c 'import boto3, os; " + m.group(1) + 'download_file(<bucket>, <key>, "job.tar")\' &&', c)
    c = re.sub(r"download_file\(\"[^\"]+\", \"[^\"]+\", \"job\.tar\"\)", 'download_file(<bucket>, <key>, "job.tar")', c)
    # - the SHA-256 check of the downloaded package before it is extracted (Metaflow has none)
    c = re.sub(r"if ! echo '(?:[0-9a-f]{64}|<code-package-sha256>)  job\.tar' \| sha256sum -c --status; then mflog '[^']*'; flush_mflogs; exit 1; fi && ", "", c)
    # - parameters handed to init by a python exec instead of a sourced file of export lines
    c = re.sub(r"python -c '[^']*METAFLOW_INIT_[^']*' python ",
               "python -m metaflow.plugins.aws.step_functions.set_batch_environment parameters <tmp> && . `pwd`/<tmp> && python ", c)
    # - a foreach join's parent task ids printed (and checked) by python instead of a sourced export line
    c = re.sub(r"METAFLOW_PARENT_TASK_IDS=\$\(python -c '[^']*'\) && export METAFLOW_PARENT_TASK_IDS",
               "python -m metaflow.plugins.aws.step_functions.set_batch_environment parent_tasks <tmp> && . `pwd`/<tmp>", c)
    # - the trigger option checked against its only form before it is expanded
    c = re.sub(r"\{ flowgate_trigger_form=.*? >&2; false; \}; \} && ", "", c)
    # `${NAME}` and `$NAME` are the same word to bash when no identifier character follows.
    c = re.sub(r"\$\{(\w+)\}(?!\w)", r"$\1", c)
    return c


@pytest.mark.parametrize("key", FLOWS)
def test_same_control_structure(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    assert _shape(flowgate) == _shape(metaflow)
    assert "TimeoutSeconds" not in metaflow and "TimeoutSeconds" not in flowgate


@pytest.mark.parametrize("key", FLOWS)
def test_same_resources_queue_retries_timeout(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    mf_states, fg_states = dict(_states(metaflow["States"])), dict(_states(flowgate["States"]))
    assert fg_states.keys() == mf_states.keys()
    for path, mf in mf_states.items():
        fg = fg_states[path]
        assert fg.get("Resource") == mf.get("Resource"), path
        if mf.get("Resource") != BATCH:
            if "Resource" in mf:  # the DynamoDB reads before a foreach / its join
                assert fg["Parameters"].keys() == mf["Parameters"].keys(), path
            continue
        mp, fp = mf["Parameters"], fg["Parameters"]
        assert fp["JobQueue"] == mp["JobQueue"], path
        assert fp["JobName"] == mp["JobName"], path
        assert fp["RetryStrategy"]["Attempts"] == mp["RetryStrategy"]["Attempts"], path
        assert fp["Timeout"] == mp["Timeout"], path
        assert fp["ContainerOverrides"]["ResourceRequirements"] == mp["ContainerOverrides"]["ResourceRequirements"]
        assert fp["ContainerOverrides"]["Command"][:2] == mp["ContainerOverrides"]["Command"][:2] == ["bash", "-c"]


def test_mutators_put_train_on_their_queue_with_gpus_and_every_step_retries_as_in_metaflow(compiled):
    """The values themselves (the comparisons above prove they equal Metaflow's): a compile without the record
    would give 1 attempt, no GPU and the default queue."""
    metaflow, flowgate = _pair(compiled, "mutators_batch_queue")
    for definition in (metaflow, flowgate):
        train = definition["States"]["train"]["Parameters"]
        assert train["JobQueue"] == "flowgate-efa-gpu"
        assert {r["Type"]: r["Value"] for r in train["ContainerOverrides"]["ResourceRequirements"]} == \
            {"VCPU": "1", "GPU": "2", "MEMORY": "24576"}
        assert all(s["Parameters"]["RetryStrategy"]["Attempts"] == 5 for s in _batch_states(definition).values())
    assert flowgate["States"]["start"]["Parameters"]["JobQueue"] != "flowgate-efa-gpu"


def flowgate_path(metaflow_path):
    """Flowgate's JSONPath where Metaflow writes `$.[i]` or `.['metaflow.run_id']` (asl-validator rejects both)."""
    return re.sub(r"^\$\.\[(\d+)\]", r"$[\1]", metaflow_path.replace(".['metaflow.run_id']", ".run_id"))


@pytest.mark.parametrize("key", FLOWS)
def test_deliberate_differences(compiled, key):
    """ResultSelector instead of the union OutputPath, a dot-free run_id parameter, `$[i]` instead of `$.[i]`."""
    metaflow, flowgate = _pair(compiled, key)
    mf_batch, fg_batch = _batch_states(metaflow), _batch_states(flowgate)
    entry = metaflow["StartAt"]
    for path, mf in mf_batch.items():
        fg = fg_batch[path]
        assert mf["OutputPath"] == METAFLOW_OUTPUT_PATH
        assert "OutputPath" not in fg
        assert fg["ResultSelector"]["JobId.$"] == "$.JobId"
        assert fg["ResultSelector"]["Parameters.$"] == "$.Parameters"
        mp, fp = mf["Parameters"]["Parameters"], fg["Parameters"]["Parameters"]
        if path == entry:
            assert mp["metaflow.run_id.$"] == fp["run_id.$"] == fp["metaflow.run_id.$"] == "$$.Execution.Name"
        else:
            assert mp["metaflow.run_id.$"].endswith("Parameters.['metaflow.run_id']")
            assert fp["metaflow.run_id.$"] == fp["run_id.$"] == flowgate_path(mp["metaflow.run_id.$"])
        mf_paths = {e["Name"]: e["Value.$"] for e in _env(mf) if "Value.$" in e}
        fg_paths = {e["Name"]: e["Value.$"] for e in _env(fg) if "Value.$" in e}
        for name, value in mf_paths.items():
            if name in FLOWGATE_OMITS:
                continue
            assert fg_paths.get(name) == flowgate_path(value), (path, name)
    for path, mf in _states(metaflow["States"]):
        if mf["Type"] == "Map":
            assert mf["OutputPath"] == "$.[0]" and dict(_states(flowgate["States"]))[path]["OutputPath"] == "$[0]"


@pytest.mark.parametrize("key", FLOWS)
def test_same_environment_names(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    for path, mf in _batch_states(metaflow).items():
        mf_names = {e["Name"] for e in _env(mf)}
        fg_names = set(_flowgate_env(flowgate, fg_batch[path]))
        allowed_added = set(FLOWGATE_ADDS_ON_ENTRY) if path == metaflow["StartAt"] else set()
        assert mf_names - fg_names <= set(FLOWGATE_OMITS), (path, mf_names - fg_names)
        assert fg_names - mf_names <= allowed_added, (path, fg_names - mf_names)
        assert not (set(FLOWGATE_OMITS) & fg_names)


# Values that legitimately differ between two deployments of the same flow.
PER_DEPLOYMENT = {"METAFLOW_CODE_URL", "METAFLOW_CODE_SHA", "METAFLOW_CODE_METADATA", "METAFLOW_PRODUCTION_TOKEN",
                  "METAFLOW_VERSION"}


@pytest.mark.parametrize("key", FLOWS)
def test_same_environment_values(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    for path, mf in _batch_states(metaflow).items():
        fg_env = _flowgate_env(flowgate, fg_batch[path])
        for entry in _env(mf):
            name = entry["Name"]
            if name in PER_DEPLOYMENT or name in FLOWGATE_OMITS or "Value.$" in entry:
                continue
            assert fg_env.get(name) == entry["Value"], (path, name)


@pytest.mark.parametrize("key", FLOWS)
def test_same_step_command(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    for path, mf in _batch_states(metaflow).items():
        mf_tokens = normalise_command(_command(mf)).split()
        fg_tokens = normalise_command(_command(fg_batch[path])).split()
        assert fg_tokens == mf_tokens, path


@pytest.mark.parametrize("key", FLOWS)
def test_command_exports_extracted_root(compiled, key):
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    for path, mf in _batch_states(metaflow).items():
        assert "export METAFLOW_EXTRACTED_ROOT=$(pwd)" in _command(mf), path
        assert "export METAFLOW_EXTRACTED_ROOT=$(pwd)" in _command(fg_batch[path]), path


@pytest.mark.parametrize("key", FLOWS)
def test_command_batch_decorator_spec(compiled, key):
    """Steps without @batch in the file carry the decorator Metaflow attaches, with its resolved attributes."""
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    for path, mf in _batch_states(metaflow).items():
        mf_with = re.findall(r"--with '(batch:[^']*)'", _command(mf))
        fg_with = re.findall(r"--with[= ]'?(batch[^' ]*)'?", _command(fg_batch[path]))
        assert all(w.startswith("batch:cpu=") for w in mf_with), path
        assert fg_with == mf_with, path


def test_config_values_reach_the_same_places_as_in_metaflow(compiled):
    """config_driven_flow.py reads @project's name, @resources, @timeout, @retry, @environment and @batch's image,
    queue and gpu from Configs (a default= JSON file next to the flow and default_value= literals)."""
    metaflow, flowgate = _pair(compiled, "config_driven")
    log = compiled["config_driven"][1]
    assert "Deploying ranking.prod.ConfigDrivenFlow to AWS Step Functions" in log
    for name in ("start", "fit", "end"):
        mf, fg = metaflow["States"][name], flowgate["States"][name]
        mf_env = {e["Name"]: e.get("Value") for e in _env(mf)}
        fg_env = _flowgate_env(flowgate, fg)
        assert fg_env["SFN_STATE_MACHINE"] == mf_env["SFN_STATE_MACHINE"] == "ranking.prod.ConfigDrivenFlow"
        assert fg_env["METAFLOW_FLOW_CONFIG_VALUE"] == mf_env["METAFLOW_FLOW_CONFIG_VALUE"] \
            == '{"env": "kv.env", "limits": "kv.limits", "train": "kv.train"}'
        assert fg["Parameters"]["JobQueue"] == mf["Parameters"]["JobQueue"]
        assert fg["Parameters"]["ContainerOverrides"]["ResourceRequirements"] == mf["Parameters"]["ContainerOverrides"]["ResourceRequirements"]
        fg_image = next(d["containerProperties"]["image"] for d in flowgate["job_definitions"]
                        if d["jobDefinitionName"] == fg["Parameters"]["JobDefinition"])
        assert fg_image == METAFLOW_JOB_IMAGES[mf["Parameters"]["JobDefinition"]], name
    start = flowgate["States"]["start"]["Parameters"]
    assert start["Timeout"]["AttemptDurationSeconds"] == 1200 and start["RetryStrategy"]["Attempts"] == 3
    assert {"Value": "2", "Type": "VCPU"} in start["ContainerOverrides"]["ResourceRequirements"]
    assert {e["Name"]: e.get("Value") for e in _env(metaflow["States"]["start"])}["LR"] == "0.01"
    fit = flowgate["States"]["fit"]["Parameters"]
    assert fit["JobQueue"] == "flowgate-on-demand"
    assert {"Type": "GPU", "Value": "1"} in fit["ContainerOverrides"]["ResourceRequirements"]
    assert next(d for d in flowgate["job_definitions"] if d["jobDefinitionName"] == fit["JobDefinition"])[
        "containerProperties"]["image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo/train:3"


def _effective(container, state, metaflow_side, entry):
    """The container Batch starts for the state (effective_container.merge), with per-deployment values left out and
    Flowgate's deliberate differences mapped back, as the other comparisons here do."""
    parameters = state["Parameters"]
    effective = canonical(merge(container, parameters["ContainerOverrides"]))
    environment = {}
    for name, value in effective["environment"].items():
        if name in PER_DEPLOYMENT or (metaflow_side and name in FLOWGATE_OMITS) \
                or (not metaflow_side and entry and name in FLOWGATE_ADDS_ON_ENTRY):
            continue
        if isinstance(value, dict):
            value = {"path": flowgate_path(value["path"]) if metaflow_side else value["path"]}
        environment[name] = value
    effective["environment"] = environment
    effective["command"] = effective["command"][:2] + normalise_command(effective["command"][2]).split()
    effective["job"] = {"queue": parameters["JobQueue"], "attempts": parameters["RetryStrategy"]["Attempts"],
                        "timeout": parameters["Timeout"]}
    return effective


def _differences(a, b, path=""):
    """Readable differences between two JSON values: path, Metaflow's value, Flowgate's value."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(set(a) | set(b), key=str)
                for d in _differences(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}")]
    return [] if a == b else [(path, a, b)]


@pytest.mark.parametrize("key", FLOWS)
def test_same_effective_container(compiled, key):
    """Job definition + container overrides, merged as Batch merges them, give every step the same container in
    Flowgate as in Metaflow: command, environment, resources, image, job role, Linux parameters (shared memory, swap,
    devices, tmpfs), volumes, privileged mode, log configuration, queue, attempts, time limit."""
    metaflow, flowgate = _pair(compiled, key)
    fg_batch = _batch_states(flowgate)
    differences = []
    for path, mf in _batch_states(metaflow).items():
        fg = fg_batch[path]
        mf_definition = METAFLOW_JOB_DEFINITIONS[mf["Parameters"]["JobDefinition"]]
        fg_definition = next(d for d in flowgate["job_definitions"]
                             if d["jobDefinitionName"] == fg["Parameters"]["JobDefinition"])
        assert fg_definition["type"] == mf_definition["type"] == "container", path
        entry = path == metaflow["StartAt"]
        mf_container = _effective(mf_definition["containerProperties"], mf, True, entry)
        fg_container = _effective(fg_definition["containerProperties"], fg, False, entry)
        differences += [(path, *d) for d in _differences(mf_container, fg_container)]
    assert differences == [], "\n".join(f"{step}: {where}: Metaflow {a!r}, Flowgate {b!r}" for step, where, a, b in differences)


def test_every_batch_setting_reaches_the_container(compiled):
    """The values themselves in the flow written with every @batch argument (the comparison above proves Metaflow
    gives the same): @batch(memory=2048) alone keeps 2048, a per-step job role, swap, tmpfs with METAFLOW_TEMPDIR,
    Inferentia/Trainium and EFA devices, host and EFS volumes, privileged mode, the log configuration."""
    _, flowgate = _pair(compiled, "every_batch_setting")

    def container(step):
        state = flowgate["States"][step] if step in flowgate["States"] else next(
            s for p, s in _states(flowgate["States"]) if p.endswith("/" + step))
        definition = next(d for d in flowgate["job_definitions"]
                          if d["jobDefinitionName"] == state["Parameters"]["JobDefinition"])
        return canonical(merge(definition["containerProperties"], state["Parameters"]["ContainerOverrides"]))

    assert container("start")["resourceRequirements"] == {"VCPU": "0.5", "MEMORY": "2048"}
    swap = container("swap")
    assert swap["jobRoleArn"] == "arn:aws:iam::123456789012:role/flowgate-trainer"
    assert swap["linuxParameters"] == {"sharedMemorySize": 1024, "swappiness": 60, "maxSwap": 4096,
                                       "tmpfs": [{"containerPath": "/scratch", "size": 4096, "mountOptions": ["defaults"]}]}
    assert swap["environment"]["METAFLOW_TEMPDIR"] == "/scratch" and swap["privileged"] is True
    assert swap["logConfiguration"]["options"] == {"awslogs-group": "/flowgate/batch", "awslogs-stream-prefix": "train"}
    devices = container("devices")
    assert devices["resourceRequirements"] == {"VCPU": "4", "GPU": "1", "MEMORY": "16000"}
    assert [d["hostPath"] for d in devices["linuxParameters"]["devices"]] == \
        ["/dev/neuron0", "/dev/neuron1", "/dev/infiniband/uverbs0"]
    assert devices["linuxParameters"]["sharedMemorySize"] == 4096 and "METAFLOW_TEMPDIR" not in devices["environment"]
    assert [m["containerPath"] for m in devices["mounts"]] == ["/cache", "/fsx", "/mnt/fs-0123456789abcdef0", "/shared"]
    assert container("join")["linuxParameters"]["devices"][0]["hostPath"] == "/dev/neuron0"

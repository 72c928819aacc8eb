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
import shutil
from pathlib import Path

import pytest

from local_gate import local_gate

FLOWS = Path(__file__).resolve().parent / "flows"
OWNER, REPO = "e2e", "gate_graph"
SECRET = "e2e-gate-graph-secret"
FLOW_FILES = {"MutatedFlow": "mutated_flow.py", "EnvMemoryFlow": "env_memory_flow.py",
              "LinearFlow": "linear_flow.py", "ConfigResourcesFlow": "config_resources_flow.py"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A local platform that accepts webhooks for e2e/gate_graph, with the four flows committed to main."""
    with local_gate(tmp_path_factory.mktemp("gate_graph"), OWNER, REPO, SECRET, f"{OWNER}/{REPO}:main") as g:
        (g.repo / "flows").mkdir()
        for file in FLOW_FILES.values():
            shutil.copy(FLOWS / file, g.repo / "flows" / file)
        (g.repo / "flowgate.yaml").write_text("project: gate_graph\nflows:\n" + "".join(
            f"  - name: {name}\n    file: flows/{file}\n" for name, file in FLOW_FILES.items()))
        yield g, g.commit("flows")


@pytest.fixture(scope="module")
def deployed(platform):
    g, sha = platform
    g.tag_prod_ready(g.run_flows({
        "MutatedFlow": ("flows/mutated_flow.py", {}, []),
        "EnvMemoryFlow": ("flows/env_memory_flow.py", {"TRAIN_MEMORY": "16384"}, []),
        "LinearFlow": ("flows/linear_flow.py", {}, []),
        "ConfigResourcesFlow": ("flows/config_resources_flow.py", {}, [])}))
    g.push("main", sha)
    return g.final_statuses(sha, FLOW_FILES)


def test_mutators_retriesAndGpus_reachTheStateMachine(platform, deployed):
    assert deployed["MutatedFlow"]["state"] == "success", deployed["MutatedFlow"]
    states = platform[0].machine("MutatedFlow")["States"]
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
    states = platform[0].machine("ConfigResourcesFlow")["States"]
    requirements = {r["Type"]: r["Value"] for r in states["fit"]["Parameters"]["ContainerOverrides"]["ResourceRequirements"]}
    assert requirements["VCPU"] == "2" and requirements["MEMORY"] == "6144"
    assert states["fit"]["Parameters"]["RetryStrategy"]["Attempts"] == 2

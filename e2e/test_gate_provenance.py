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
  record is unchanged;
- `flowgate rollback ProjectGateFlow` after a newer production deployment puts production back, leaves the
  experimental branch's state machine alone, and `--branch exp-1` acts on that one only.
"""
import os
import subprocess

import pytest

from local_gate import ROOT, local_gate

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


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with local_gate(tmp_path_factory.mktemp("gate"), OWNER, REPO, SECRET, f"{OWNER}/{REPO}:main:experimental=exp-*") as g:
        yield g


@pytest.fixture(scope="module")
def gate(platform):
    """main's first commit, both flows run and tagged prod_ready, pushed and deployed to production."""
    p = platform
    (p.repo / "flows").mkdir()
    (p.repo / "flowgate.yaml").write_text(MANIFEST)
    (p.repo / "README.md").write_text("gate e2e\n")
    (p.repo / "flows/plain_flow.py").write_text(PLAIN_FLOW)
    (p.repo / "flows/project_gate_flow.py").write_text(PROJECT_FLOW)
    first = p.commit("two flows")
    p.tag_prod_ready(p.run_flows({"PlainFlow": ("flows/plain_flow.py", {}, []),
                                  "ProjectGateFlow": ("flows/project_gate_flow.py", {}, [])}))
    accepted = p.push("main", first)
    finals = p.final_statuses(first, FLOWS)
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
    finals = p.final_statuses(experiment, FLOWS)

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
    assert {f: s["state"] for f, s in p.final_statuses(newer, FLOWS).items()} == {"PlainFlow": "success", "ProjectGateFlow": "success"}
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


def _flowgate(platform, *args):
    env = dict(os.environ, AWS_ENDPOINT_URL=platform.emulator, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return subprocess.run([str(ROOT / "scripts" / "flowgate"), *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_rollback_puts_production_back_and_leaves_the_experimental_branch_alone(platform, gate):
    p = platform
    if "experiment" not in gate:
        pytest.skip("needs the experimental branch of the test before")
    v1 = p.machines()["gate.prod.ProjectGateFlow"][0]
    (p.repo / "flows/project_gate_flow.py").write_text(PROJECT_FLOW.replace('print("done", self.x)', 'print("v2", self.x)'))
    changed = p.commit("ProjectGateFlow v2")
    p.tag_prod_ready(p.run_flows({"ProjectGateFlow": ("flows/project_gate_flow.py", {}, [])}))
    p.push("main", changed)
    assert p.final_statuses(changed, ("ProjectGateFlow",))["ProjectGateFlow"]["state"] == "success"
    before = p.machines()
    experimental = [name for name in before if name.startswith("gate.test.exp_1__")]
    assert len(experimental) == 1, sorted(before)

    rolled = _flowgate(p, "rollback", "ProjectGateFlow")

    assert rolled.returncode == 0, rolled.stderr
    assert "rolled back gate.prod.ProjectGateFlow" in rolled.stdout, rolled.stdout
    after = p.machines()
    assert before["gate.prod.ProjectGateFlow"][0] != v1, "v2 did not change the production definition"
    assert after["gate.prod.ProjectGateFlow"][0] == v1
    assert after[experimental[0]] == before[experimental[0]], "the experimental state machine changed"

    only_one = _flowgate(p, "rollback", "ProjectGateFlow", "--branch", "exp-1")
    assert only_one.returncode == 2 and "has no earlier deployment" in only_one.stderr, only_one.stderr
    assert p.machines()[experimental[0]] == before[experimental[0]]

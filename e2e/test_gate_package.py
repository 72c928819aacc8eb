"""Crafted code packages against the production gate (issue 12: every member accounted for), on the local platform.

The repository `pkg/attacks` is shaped like the project template: flows in flows/, the project's own module in
src/pkgproj/ (METAFLOW_PACKAGE_POLICY = "include", so Metaflow 2.19 packages it as .mf_code/pkgproj/). Every flow is
the same two-step flow under its own class name. Each attack flow is run with the real Metaflow client by an
attacker who controls their own machine — the metadata API key and write access to the datastore — and tagged
prod_ready; then one signed push of main deploys them all:

- tampered archives, made by Metaflow itself from a packaging step the attacker patched (a `sitecustomize` on the
  attacker's PYTHONPATH wraps MetaflowPackage._make): an extra .mf_code/sitecustomize.py, a patched Metaflow
  library file, a hardlink, a symlink, a `..` path, a member of 200 MB of zeros (a compression bomb), a
  .mf_meta/CONFIG whose value differs from the code in git;
- without tampering: a run with a module from outside the repository (`helperlib`, include policy), a run with an
  uncommitted change to src/pkgproj/, a run whose Config was overridden (`--config-value`), and a code-package
  record rewritten through the metadata API to a location a shell would evaluate.

Every attack is refused — outcome `mismatch` (or `no_code_package` for the location) naming the member and its
class in the deployment record — and nothing is deployed for it: no state machine, nothing published under the
verified prefix. The control flow, run honestly, deploys. Then a commit changes src/pkgproj/ (the template's own
layout): a push without a new run is refused for the control flow (its package's module differs from git), and a
new prod_ready run of that commit deploys.
"""
import io
import json
import shutil
import tarfile
import textwrap

import pytest

from local_gate import DATASTORE_ROOT, local_gate

OWNER, REPO = "pkg", "attacks"
SECRET = "gate-package-secret"
ATTACK_ENV = "FLOWGATE_E2E_ATTACK"

FLOW = '''from metaflow import Config, FlowSpec, project, step

from pkgproj.features import score


@project(name="pkgproj")
class {name}(FlowSpec):
    settings = Config("settings", default_value={{"rows": 3}})

    @step
    def start(self):
        self.value = score(self.settings.rows)
        self.next(self.end)

    @step
    def end(self):
        print("value", self.value)


if __name__ == "__main__":
    {name}()
'''
FEATURES = "def score(rows):\n    return rows * 2\n"

# flow -> (attack, the member the deployment record must name, what the record must say about it)
TAMPERED = {
    "SitecustomizeFlow": ("sitecustomize", ".mf_code/sitecustomize.py", "[unknown]"),
    "PatchedMetaflowFlow": ("patched_metaflow", ".mf_code/metaflow/__init__.py", "[metaflow_library]"),
    "HardlinkFlow": ("hardlink", "flows/evil.py", "[hardlink]"),
    "SymlinkFlow": ("symlink", "flows/link.py", "[symlink]"),
    "TraversalFlow": ("traversal", "../evil.py", "[unsafe_path]"),
    "BombFlow": ("bomb", "flows/bomb.py", "[oversized]"),
    "ConfigTamperFlow": ("config", ".mf_meta/CONFIG", "Config 'settings'"),
}
HONEST_BUT_WRONG = {
    "OutsideModuleFlow": (".mf_code/helperlib/__init__.py", "not in the repository"),
    "DirtySrcFlow": (".mf_code/pkgproj/features.py", "differ"),
    "ConfigOverrideFlow": (".mf_meta/CONFIG", "Config 'settings'"),
}
LOCATION_FLOW = "HostileLocationFlow"
APPENDED_FLOW = "AppendedRecordFlow"
CONTROL = "ControlFlow"
ALL_FLOWS = [CONTROL, LOCATION_FLOW, APPENDED_FLOW, *TAMPERED, *HONEST_BUT_WRONG]
HOSTILE_LOCATION = DATASTORE_ROOT + "/{flow}/data/ab/abc';touch$IFS/tmp/flowgate-pwned;'"

# What the attacker puts on their PYTHONPATH: Metaflow builds, hashes, uploads and records the tampered package.
SITECUSTOMIZE = '''
import io, os, tarfile

KIND = os.environ.get("%s")
if KIND == "outside_module":
    import helperlib  # noqa: F401 (include policy: Metaflow packages it)
elif KIND == "location":
    from metaflow.package import MetaflowPackage

    MetaflowPackage.package_url = lambda self, timeout=None: os.environ["FLOWGATE_E2E_LOCATION"]
elif KIND:
    from metaflow.package import MetaflowPackage

    def _add(out, name, data=b"", **fields):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        for key, value in fields.items():
            setattr(info, key, value)
        out.addfile(info, io.BytesIO(data) if data else None)

    def _tamper(blob):
        source = tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as out:
            for member in source.getmembers():
                data = source.extractfile(member).read() if member.isfile() else b""
                if KIND == "patched_metaflow" and member.name == ".mf_code/metaflow/__init__.py":
                    data += b"\\n# patched by the attacker\\n"
                    member.size = len(data)
                if KIND == "config" and member.name == ".mf_meta/CONFIG":
                    data = data.replace(b'"rows": 3', b'"rows": 4000')
                    member.size = len(data)
                out.addfile(member, io.BytesIO(data) if member.isfile() else None)
            if KIND == "sitecustomize":
                _add(out, ".mf_code/sitecustomize.py", b"import os\\nos.system('id')\\n")
            elif KIND == "hardlink":
                _add(out, "flows/evil.py", type=tarfile.LNKTYPE, linkname="flows/attack_flow.py")
            elif KIND == "symlink":
                _add(out, "flows/link.py", type=tarfile.SYMTYPE, linkname="/etc/passwd")
            elif KIND == "traversal":
                _add(out, "../evil.py", b"x = 1\\n")
            elif KIND == "bomb":
                _add(out, "flows/bomb.py", bytes(200 << 20))
        return buffer.getvalue()

    _make = MetaflowPackage._make
    MetaflowPackage._make = lambda self: _tamper(_make(self))
''' % ATTACK_ENV


def _flow(name):
    return FLOW.format(name=name)


def _file(flow):
    return f"flows/{flow.lower()}.py"


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    work = tmp_path_factory.mktemp("gate_package")
    with local_gate(work, OWNER, REPO, SECRET, f"{OWNER}/{REPO}:main") as g:
        (g.repo / "src/pkgproj").mkdir(parents=True)
        (g.repo / "src/pkgproj/__init__.py").write_text('METAFLOW_PACKAGE_POLICY = "include"\n')
        (g.repo / "src/pkgproj/features.py").write_text(FEATURES)
        (g.repo / "flows").mkdir()
        for flow in ALL_FLOWS:
            (g.repo / _file(flow)).write_text(_flow(flow))
        (g.repo / "flowgate.yaml").write_text("project: pkgproj\nflows:\n" + "".join(
            f"  - name: {flow}\n    file: {_file(flow)}\n" for flow in ALL_FLOWS))
        yield g, g.commit("the template's layout: flows/ and src/pkgproj/"), work


def _attacker(work):
    """The attacker's PYTHONPATH entries: the patched packaging step, a module outside git, a dirty src/ copy."""
    tools = work / "attacker"
    (tools / "helperlib").mkdir(parents=True)
    (tools / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (tools / "helperlib/__init__.py").write_text('METAFLOW_PACKAGE_POLICY = "include"\n')
    dirty = work / "dirty-src"
    shutil.copytree(work / "git" / OWNER / REPO / "src", dirty)
    (dirty / "pkgproj/features.py").write_text(FEATURES.replace("rows * 2", "rows * 2 + 1"))
    return tools, dirty


def _append_record(g, flow, run_id):
    """Appends a code-package record to the run's start task naming another location of the same package."""
    status, body = g.http("GET", f"/flows/{flow}/runs/{run_id}/steps/start/tasks")
    task = json.loads(body)[0]["task_id"]
    path = f"/flows/{flow}/runs/{run_id}/steps/start/tasks/{task}/metadata"
    status, body = g.http("GET", path)
    record = next(json.loads(r["value"]) for r in json.loads(body) if r["field_name"] == "code-package")
    record["location"] = HOSTILE_LOCATION.format(flow=flow)
    status, body = g.http("POST", path, [{"field_name": "code-package", "value": json.dumps(record),
                                          "type": "code-package", "user_name": "gate", "tags": []}])
    assert status in (200, 201), body


@pytest.fixture(scope="module")
def attacked(gate):
    g, sha, work = gate
    tools, dirty = _attacker(work)
    src = str(g.repo / "src")
    runs = {CONTROL: (_file(CONTROL), {"PYTHONPATH": src}, []),
            APPENDED_FLOW: (_file(APPENDED_FLOW), {"PYTHONPATH": src}, []),
            LOCATION_FLOW: (_file(LOCATION_FLOW), {"PYTHONPATH": f"{tools}:{src}", ATTACK_ENV: "location",
                                                   "FLOWGATE_E2E_LOCATION": HOSTILE_LOCATION.format(flow=LOCATION_FLOW)}, [])}
    for flow, (kind, _, _) in TAMPERED.items():
        runs[flow] = (_file(flow), {"PYTHONPATH": f"{tools}:{src}", ATTACK_ENV: kind}, [])
    runs["OutsideModuleFlow"] = (_file("OutsideModuleFlow"), {"PYTHONPATH": f"{tools}:{src}", ATTACK_ENV: "outside_module"}, [])
    runs["DirtySrcFlow"] = (_file("DirtySrcFlow"), {"PYTHONPATH": str(dirty)}, [])
    runs["ConfigOverrideFlow"] = (_file("ConfigOverrideFlow"), {"PYTHONPATH": src},
                                  ["--config-value", "settings", '{"rows": 4000}'])
    ids = g.run_flows(runs)
    _append_record(g, APPENDED_FLOW, ids[APPENDED_FLOW])
    g.tag_prod_ready(ids)
    deployment = g.push("main", sha)["deployment_id"]
    finals = g.final_statuses(sha, ALL_FLOWS)
    return g, {flow: g.deployment(flow, deployment) for flow in ALL_FLOWS}, finals


def _nothing_deployed_for(g, flow):
    assert not [name for name in g.machines() if flow.lower() in name.lower()], flow
    assert not [k for k in g.keys("flowgate/verified/") if f"/{flow}/" in k], flow


def test_the_honest_run_deploys(attacked):
    g, records, finals = attacked
    assert finals[CONTROL]["state"] == "success", finals[CONTROL]
    assert records[CONTROL]["outcome"]["S"] == "deployed", records[CONTROL]
    assert [k for k in g.keys("flowgate/verified/") if f"/{CONTROL}/" in k]


@pytest.mark.parametrize("flow", sorted(TAMPERED))
def test_a_tampered_package_is_refused_naming_the_member_and_nothing_is_deployed(attacked, flow):
    g, records, finals = attacked
    _, member, says = TAMPERED[flow]
    assert finals[flow]["state"] == "failure", finals[flow]
    record = records[flow]
    assert record["outcome"]["S"] == "mismatch", record
    assert member in record["message"]["S"] and says in record["message"]["S"], record["message"]["S"][:3000]
    _nothing_deployed_for(g, flow)


@pytest.mark.parametrize("flow", sorted(HONEST_BUT_WRONG))
def test_a_run_of_code_that_is_not_in_git_is_refused_naming_the_member(attacked, flow):
    g, records, finals = attacked
    member, says = HONEST_BUT_WRONG[flow]
    assert finals[flow]["state"] == "failure", finals[flow]
    assert records[flow]["outcome"]["S"] == "mismatch", records[flow]
    message = records[flow]["message"]["S"]
    assert member in message and says in message, message[:3000]
    _nothing_deployed_for(g, flow)


def test_a_recorded_code_package_location_that_a_shell_would_evaluate_is_refused(attacked):
    g, records, finals = attacked
    assert finals[LOCATION_FLOW]["state"] == "failure", finals[LOCATION_FLOW]
    record = records[LOCATION_FLOW]
    assert record["outcome"]["S"] == "no_code_package", record
    assert "letters, digits and _.-/ only" in record["message"]["S"], record["message"]["S"]
    _nothing_deployed_for(g, LOCATION_FLOW)


def test_a_code_package_record_appended_through_the_metadata_api_is_refused_not_chosen(attacked):
    g, records, finals = attacked
    record = records[APPENDED_FLOW]
    assert record["outcome"]["S"] == "no_code_package", record
    assert "records 2 different code packages" in record["message"]["S"], record["message"]["S"]
    assert HOSTILE_LOCATION.format(flow=APPENDED_FLOW) in record["message"]["S"]
    _nothing_deployed_for(g, APPENDED_FLOW)


def test_a_src_change_needs_a_new_prod_ready_run_which_then_deploys(attacked):
    g, _, _ = attacked
    (g.repo / "src/pkgproj/features.py").write_text(FEATURES + textwrap.dedent('''

        def version():
            return 2
    '''))
    changed = g.commit("src/pkgproj: a new helper")
    refused = g.deployment(CONTROL, g.push("main", changed)["deployment_id"])
    assert refused["outcome"]["S"] == "mismatch", refused
    assert "src/pkgproj/features.py" in refused["message"]["S"], refused["message"]["S"][:2000]

    # the commit was accepted once; after a new prod_ready run, the team's CI (Jenkins) asks for it again
    g.tag_prod_ready(g.run_flows({CONTROL: (_file(CONTROL), {"PYTHONPATH": str(g.repo / "src")}, [])}))
    redeploy = g.invoke({"repository": f"{OWNER}/{REPO}", "commit_sha": changed, "ref": "refs/heads/main",
                         "flows": [CONTROL], "request_id": "jenkins:pkg#2"})
    deployed = {f["flow"]: f for f in redeploy["flows"]}[CONTROL]
    assert deployed["outcome"] == "deployed", redeploy
    assert g.deployment(CONTROL, redeploy["deployment_id"])["commit_sha"]["S"] == changed

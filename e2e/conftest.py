"""End-to-end fixtures: a Flowgate platform to talk to and the real Metaflow client pointed at it.

The platform is the one at FLOWGATE_URL when that is set; otherwise this suite starts `scripts/platform`
on a free port, waits for GET /healthz and stops it at the end. Flows run as real processes
(`python flow.py --metadata=service --datastore=local run`), all started at once, each with its own
METAFLOW_HOME and local datastore root under pytest's temporary directory.

The platform demands API keys, as API Gateway does: API_KEY (named `e2e`, what data scientists' clients send;
exported as METAFLOW_SERVICE_AUTH_KEY to every client this suite starts) and PRODUCTION_KEY (named `sfn-jobs`,
the only caller allowed to set `production:` system tags: compiled production jobs send it). Raw HTTP to the
metadata API must send `x-api-key: API_KEY` (`service_get` does). With FLOWGATE_URL, give that platform's keys as
FLOWGATE_E2E_API_KEY / FLOWGATE_E2E_PRODUCTION_KEY.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOWS = Path(__file__).resolve().parent / "flows"
PYTHON = os.environ.get("FLOWGATE_PYTHON", sys.executable)
STARTUP_SECONDS = int(os.environ.get("FLOWGATE_E2E_STARTUP_SECONDS", "300"))
FLOW_TIMEOUT_SECONDS = 240
API_KEY = os.environ.get("FLOWGATE_E2E_API_KEY") or "e2e-" + uuid.uuid4().hex
PRODUCTION_KEY = os.environ.get("FLOWGATE_E2E_PRODUCTION_KEY") or "sfn-" + uuid.uuid4().hex
os.environ["METAFLOW_SERVICE_AUTH_KEY"] = API_KEY


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url):
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def platform_url(tmp_path_factory):
    """The base URL of a running Flowgate platform (the metadata API is served at its root)."""
    given = os.environ.get("FLOWGATE_URL")
    if given:
        url = given.rstrip("/")
        if not _healthy(url):
            pytest.fail(f"FLOWGATE_URL={url} does not answer GET /healthz")
        yield url
        return
    port = _free_port()
    log = tmp_path_factory.mktemp("platform") / "platform.log"
    env = {**os.environ, "FLOWGATE_PORT": str(port), "FLOWGATE_API_KEYS": f"e2e:{API_KEY},sfn-jobs:{PRODUCTION_KEY}",
           "FLOWGATE_PRODUCTION_CALLERS": "sfn-jobs",
           "FLOWGATE_STATE_DIR": ""}  # in memory: each session starts clean and never touches ~/.flowgate/state
    env.pop("AWS_ENDPOINT_URL", None)
    env.pop("FLOWGATE_API_KEY", None)
    with open(log, "wb") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "platform")], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + STARTUP_SECONDS
    while not _healthy(url):
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail(f"the platform did not become healthy; its log:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.5)
    try:
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Metaflow:
    """Runs flows with the real Metaflow CLI and gives the client API, both pointed at the platform."""

    def __init__(self, url, home):
        self.url = url
        self.home = home
        self.user = "e2e-" + uuid.uuid4().hex[:8]
        self.session_tag = "e2e_session_" + uuid.uuid4().hex[:8]
        self.env = {
            **os.environ,
            "METAFLOW_SERVICE_URL": url,
            "METAFLOW_DEFAULT_METADATA": "service",
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "METAFLOW_HOME": str(home / "config"),
            "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(home / "datastore"),
            "USERNAME": self.user,
            "METAFLOW_USER": self.user,
        }
        self.env.pop("METAFLOW_PROFILE", None)
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "datastore").mkdir(parents=True, exist_ok=True)

    def cli(self, flow_file, *args, env=None, expect_ok=True):
        """Runs `python <flow> --metadata=service --datastore=local <args>`; returns (returncode, output)."""
        run_dir = self.home / "cwd"
        run_dir.mkdir(exist_ok=True)
        command = [PYTHON, str(FLOWS / flow_file), "--no-pylint", "--metadata=service", "--datastore=local", *args]
        done = subprocess.run(command, cwd=run_dir, env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=FLOW_TIMEOUT_SECONDS)
        output = done.stdout + done.stderr
        if expect_ok and done.returncode != 0:
            raise AssertionError(f"{' '.join(command[1:])} failed ({done.returncode}):\n{output[-4000:]}")
        return done.returncode, output

    def run(self, flow_file, *args, env=None, expect_ok=True, command="run"):
        """Runs a flow; returns (run id, returncode, output)."""
        id_file = self.home / f"{flow_file}-{command}-{uuid.uuid4().hex[:6]}.runid"
        code, output = self.cli(flow_file, command, "--run-id-file", str(id_file), *args, env=env, expect_ok=expect_ok)
        run_id = id_file.read_text().strip() if id_file.exists() else None
        return run_id, code, output

    def client(self):
        """The metaflow package, imported once this process's environment points at the platform."""
        for key in ("METAFLOW_SERVICE_URL", "METAFLOW_DEFAULT_METADATA", "METAFLOW_DEFAULT_DATASTORE", "METAFLOW_HOME",
                    "METAFLOW_DATASTORE_SYSROOT_LOCAL", "USERNAME", "METAFLOW_USER"):
            os.environ[key] = self.env[key]
        import metaflow
        return metaflow


@pytest.fixture(scope="session")
def metaflow_env(platform_url, tmp_path_factory):
    return Metaflow(platform_url, tmp_path_factory.mktemp("metaflow"))


def _resume_chain(mf):
    failed_id, code, output = mf.run("resume_flow.py", env={"E2E_FAIL_MIDDLE": "1"}, expect_ok=False)
    assert code != 0, "the first ResumeFlow run should have failed:\n" + output[-2000:]
    assert failed_id, output[-2000:]
    resumed_id, _, _ = mf.run("resume_flow.py", "--origin-run-id", failed_id, command="resume")
    return {"failed": failed_id, "resumed": resumed_id}


@pytest.fixture(scope="session")
def runs(metaflow_env):
    """Every flow of the suite, run once, in parallel: name -> run id (the resume chain -> a dict)."""
    mf = metaflow_env
    jobs = {
        "linear": lambda: mf.run("linear_flow.py", "--tag", mf.session_tag, "--tag", "keep_me")[0],
        "branch": lambda: mf.run("branch_flow.py")[0],
        "foreach": lambda: mf.run("foreach_flow.py")[0],
        "params": lambda: mf.run("params_flow.py", "--alpha", "2.5", "--label", "tuned")[0],
        "retry": lambda: mf.run("retry_flow.py")[0],
        "unicode": lambda: mf.run("unicode_flow.py", "--tag", "größe")[0],
        "resume": lambda: _resume_chain(mf),
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="session")
def client(metaflow_env, runs):
    return metaflow_env.client()


def service_get(url, path):
    """A raw GET against the metadata API (for what the client API hides): status, headers, body text."""
    request = urllib.request.Request(url + path, headers={"x-api-key": API_KEY})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()


@pytest.fixture(scope="module")
def moto_url():
    """A moto server of the test module's own on a free 127.0.0.1 port (for scripts that talk to AWS directly)."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)

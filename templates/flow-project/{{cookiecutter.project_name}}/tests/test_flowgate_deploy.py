"""scripts/flowgate-deploy.sh, the deploy step of the Jenkinsfile and the GitHub Actions workflow: the repository it
names, and how it reads the deployer's answer (a real HTTP server plays the deployer's Invoke API)."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "flowgate-deploy.sh"
SHA = "0123456789abcdef0123456789abcdef01234567"


def run(env, *args):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GIT_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF_NAME", "BUILD_URL", "FLOWGATE_LOCAL_URL")}
    return subprocess.run(["bash", str(SCRIPT), *args], env={**clean, "GIT_COMMIT": SHA, "BRANCH_NAME": "main", **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("url", ["https://github.com/acme/churn_model.git", "https://github.com/acme/churn_model",
                                 "git@github.com:acme/churn_model.git", "ssh://git@github.example.com:22/acme/churn_model.git"])
def test_repository_is_owner_slash_repo_from_the_git_url(url):
    done = run({"GIT_URL": url}, "--print-request")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"repository": "acme/churn_model", "commit_sha": SHA, "ref": "refs/heads/main",
                                       "dry_run": False}


def test_github_actions_names_the_repository_itself():
    done = run({"GITHUB_REPOSITORY": "acme/churn_model", "GITHUB_SHA": SHA, "GITHUB_REF_NAME": "feature/x",
                "GIT_COMMIT": "", "BRANCH_NAME": ""}, "--print-request")
    assert json.loads(done.stdout)["ref"] == "refs/heads/feature/x"
    assert json.loads(done.stdout)["repository"] == "acme/churn_model"


def test_a_url_that_names_no_repository_is_refused():
    done = run({"GIT_URL": "/srv/git/churn_model"}, "--print-request")
    assert done.returncode == 2 and "is not a repository URL" in done.stderr


class Deployer(BaseHTTPRequestHandler):
    answer = {}
    requests = []

    def do_POST(self):
        Deployer.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        body = json.dumps(Deployer.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def deployer():
    server = HTTPServer(("127.0.0.1", 0), Deployer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Deployer.requests.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_ok_exits_0_and_a_refusal_exits_1_with_the_outcome_and_message(deployer):
    env = {"GIT_URL": "git@github.com:acme/churn_model.git", "FLOWGATE_LOCAL_URL": deployer}
    Deployer.answer = {"ok": True, "outcome": "deployed", "message": "deployed churn_model.prod.F", "deployment_id": "d-1",
                       "flows": [{"flow": "F", "outcome": "deployed", "message": "deployed churn_model.prod.F"}]}
    done = run(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Flowgate: deployed churn_model.prod.F (deployment d-1)" in done.stdout
    assert Deployer.requests[-1]["repository"] == "acme/churn_model"

    Deployer.answer = {"ok": False, "outcome": "no_tagged_run", "message": "F: no run tagged prod_ready"}
    done = run(env)
    assert done.returncode == 1
    assert "Flowgate: no_tagged_run: F: no run tagged prod_ready" in done.stdout

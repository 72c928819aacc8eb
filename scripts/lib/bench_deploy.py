"""Webhook-to-deployed latency per stage on the local platform, for repositories with 1, 10 and 50 flows, then the
verification stage's package check timed alone on a big package (500 user files and the whole pinned Metaflow library)."""
import argparse
import concurrent.futures
import hashlib
import hmac
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import demo  # noqa: E402  (shared helpers: platform start, HTTP, Metaflow environment)

OWNER = "bench"
DEPLOYER = demo.ROOT / "functions" / "deployer"
GATE_BENCH = "dev.flowgate.deployer.bench.PackageGateBench"
SKIPPED_DIRS = {"target", ".venv", ".git", "node_modules", "cdk.out", "__pycache__", "e2e", "scripts", "docs"}


def make_repo(git_root, size):
    project = f"bench{size}"
    repo = git_root / OWNER / project
    template = git_root / "template"
    if not template.exists():
        demo.run(["java", "-jar", str(demo.ROOT / "functions/cli/target/flowgate-cli.jar"), "new-project", "--no-input",
                  "-o", str(template), "project_name=benchbase"], cwd=demo.ROOT, env=dict(os.environ, FLOWGATE_HOME=str(demo.ROOT)))
    base = template / "benchbase"
    (repo / "flows").mkdir(parents=True)
    shutil.copytree(base / "src", repo / "src")
    source = (base / "flows" / "churn_training_flow.py").read_text()
    flows = []
    for i in range(size):
        name = f"Bench{i}Flow"
        (repo / "flows" / f"bench{i}_flow.py").write_text(source.replace("ChurnTrainingFlow", name)
                                                          .replace('@project(name="benchbase")', f'@project(name="{project}")'))
        flows.append(name)
    manifest = f"project: {project}\nproduction_branch: main\nflows:\n" + "".join(
        f"  - name: {n}\n    file: flows/bench{i}_flow.py\n" for i, n in enumerate(flows))
    (repo / "flowgate.yaml").write_text(manifest)
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench"]):
        demo.run(["git"] + args, cwd=repo)
    return repo, project, flows, demo.run(["git", "rev-parse", "HEAD"], cwd=repo).stdout.strip()


def run_and_tag(repo, flows, env, workers):
    def one(i):
        demo.run([demo.PYTHON, f"flows/bench{i}_flow.py", "--quiet", "--no-pylint", "run", "--rows", "20",
                  "--run-id-file", f".run-{i}"], cwd=repo, env=env)
        return (repo / f".run-{i}").read_text().strip()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        run_ids = list(pool.map(one, range(len(flows))))
    code = ("import sys\nfrom metaflow import Run, namespace\nnamespace(None)\n"
            "for pathspec in sys.argv[1:]:\n    Run(pathspec).add_tag('prod_ready')\n")
    demo.run([demo.PYTHON, "-c", code] + [f"{f}/{r}" for f, r in zip(flows, run_ids)], cwd=repo, env=env)


def push(project, sha):
    body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": sha, "head_commit": {"id": sha},
                       "repository": {"full_name": f"{OWNER}/{project}", "name": project, "owner": {"login": OWNER}}}).encode()
    signature = "sha256=" + hmac.new(demo.SECRET.encode(), body, hashlib.sha256).hexdigest()
    started = time.perf_counter()
    status, _ = demo.http("POST", "/webhooks/github", body, {"Content-Type": "application/json", "X-GitHub-Event": "push",
                                                               "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": signature})
    answered = time.perf_counter()
    if status != 202:
        raise RuntimeError(f"webhook answered {status}")
    return started, (answered - started) * 1000


def wait_all(project, sha, flows, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, body = demo.http("GET", f"/local/github/repos/{OWNER}/{project}/commits/{sha}/statuses")
        finals = {i["context"]: i["state"] for i in (json.loads(body) if status == 200 else []) if i["state"] != "pending"}
        if all(f"flowgate/{f}" in finals for f in flows):
            return finals
        time.sleep(0.5)
    raise RuntimeError(f"not every flow finished within {timeout} s")


def stage_timings(flows, env):
    code = ("import boto3, json, sys\nt = boto3.resource('dynamodb').Table('flowgate-control')\nout = {}\n"
            "for f in sys.argv[1:]:\n"
            "    items = t.query(KeyConditionExpression=boto3.dynamodb.conditions.Key('pk').eq('deployments#' + f))['Items']\n"
            "    newest = max(items, key=lambda i: i['sk'])\n"
            "    out[f] = {k: int(v) for k, v in newest.get('stage_ms', {}).items()}\n"
            "print(json.dumps(out))\n")
    return json.loads(demo.run([demo.PYTHON, "-c", code] + flows, cwd=demo.ROOT, env=env).stdout.strip().splitlines()[-1])


def sources_newer_than(mtime):
    """True when a module source, resource or pom of the repository changed after mtime (what the benchmark runs on)."""
    for directory, subdirs, files in os.walk(demo.ROOT):
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS]
        in_sources = "src" in Path(directory).relative_to(demo.ROOT).parts
        for name in files:
            if (in_sources or name == "pom.xml") and os.stat(os.path.join(directory, name)).st_mtime > mtime:
                return True
    return False


def ensure_gate_bench():
    """The deployer's jar and the benchmark's class (deployer test sources), rebuilt when missing or older than the sources
    (every package rewrites the shaded jar, so its time is the build's)."""
    jar = DEPLOYER / "target" / "deployer-lambda.jar"
    classes = DEPLOYER / "target" / "test-classes"
    bench = classes / (GATE_BENCH.replace(".", "/") + ".class")
    if not jar.exists() or not bench.exists() or sources_newer_than(jar.stat().st_mtime):
        print("building the deployer and its benchmark (mvn package, tests skipped)...", flush=True)
        demo.run(["mvn", "-q", "-B", "-DskipTests", "-pl", "functions/deployer", "-am", "package"], cwd=demo.ROOT)
    return jar, classes


def verify_table(user_files, runs):
    """The gate's package check (PackageGate.check) on a package built from the installed, pinned Metaflow's real files."""
    jar, classes = ensure_gate_bench()
    spec = importlib.util.find_spec("metaflow")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"metaflow is not installed for {sys.executable}; run scripts/bootstrap-python")
    print(f"\nverification: PackageGate.check of packages of user files ({user_files}), a 20-file module under src/ "
          f"and the whole pinned Metaflow library; {runs} timed checks after the first", flush=True)
    subprocess.run(["java", "-cp", f"{jar}{os.pathsep}{classes}", GATE_BENCH,
                    "--metaflow-dir", spec.submodule_search_locations[0], "--user-files", user_files, "--runs", str(runs)],
                   cwd=demo.ROOT, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,10,50", help="flows per repository, comma separated (default 1,10,50)")
    parser.add_argument("--workers", type=int, default=4, help="Metaflow runs in parallel while preparing (default 4)")
    parser.add_argument("--verify-only", action="store_true",
                        help="only the verification table (no platform, no Metaflow runs)")
    parser.add_argument("--verify-user-files", default="500",
                        help="user files of the verification package, comma separated for several rows (default 500)")
    parser.add_argument("--verify-runs", type=int, default=20, help="timed checks per verification row (default 20)")
    args = parser.parse_args()
    if args.verify_only:
        verify_table(args.verify_user_files, args.verify_runs)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="flowgate-bench-deploy-"))
    git_root = work / "git"
    git_root.mkdir()
    platform = demo.start_platform(git_root, ",".join(f"{OWNER}/bench{n}:main" for n in sizes))
    rows = []
    try:
        emulator = demo.healthy()["emulator"]["endpoint"]
        for size in sizes:
            repo, project, flows, sha = make_repo(git_root, size)
            env = demo.metaflow_env(repo, emulator)
            print(f"preparing {size} flow(s): running and tagging...", flush=True)
            run_and_tag(repo, flows, env, args.workers)
            started, answer_ms = push(project, sha)
            finals = wait_all(project, sha, flows, timeout=120 + 10 * size)
            total = time.perf_counter() - started
            ok = sum(1 for state in finals.values() if state == "success")
            timings = stage_timings(flows, env)
            stages = sorted({k for t in timings.values() for k in t})
            medians = {s: statistics.median(t.get(s, 0) for t in timings.values()) for s in stages}
            rows.append((size, answer_ms, total, ok, medians))
    finally:
        os.killpg(platform.pid, signal.SIGTERM)
        platform.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    stages = sorted({s for row in rows for s in row[4]})
    print("\nflows  webhook answer  webhook->all deployed  deployed  " + "  ".join(f"{s} p50" for s in stages))
    for size, answer_ms, total, ok, medians in rows:
        print(f"{size:5d}  {answer_ms:11.0f} ms  {total:17.1f} s  {ok:5d}/{size:<3d} "
              + "  ".join(f"{medians.get(s, 0):{len(s) + 2}.0f}ms" for s in stages))
    print("(local platform on moto, this machine; stage times are the deployer's own records, median over flows)")
    verify_table(args.verify_user_files, args.verify_runs)


if __name__ == "__main__":
    main()

"""Per-function startup: JVM start to first response, with and without SnapStart priming, and jar size.

Each run is a fresh JVM on the function's own shaded jar (`java -cp <jar> dev.flowgate.aws.StartupProbe`), with
the flags Lambda's Java runtime uses (tiered compilation stopped at C1), against the local platform's moto. The
probe builds the handler as Lambda does, runs its priming hook (what a SnapStart snapshot holds) when asked, and
sends one event. Without a CRaC JVM nothing can be restored here, so the table shows the parts: what init costs,
what priming adds to init (paid once, before the snapshot), and what the first request costs after each — the
first-request figure after priming is what a restored SnapStart container pays for its first request.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "flowgate"
FUNCTIONS = [
    # (name, module jar, handler class, event)
    ("metadata-api", "functions/metadata-api/target/metadata-api-lambda.jar",
     "dev.flowgate.metadata.handler.MetadataApiHandler",
     {"httpMethod": "GET", "path": "/flows/BenchFlow", "headers": {}, "requestContext": {}}),
    ("github-webhook", "functions/deployer/target/deployer-lambda.jar",
     "dev.flowgate.deployer.handler.GitHubWebhookHandler",
     {"httpMethod": "POST", "path": "/webhooks/github", "body": "{}",
      "headers": {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "bench", "X-Hub-Signature-256": "sha256=00"}}),
    ("deployer", "functions/deployer/target/deployer-lambda.jar",
     "dev.flowgate.deployer.handler.DeployerHandler",
     {"repository": "acme/ml"}),
    ("alerter", "functions/alerter/target/alerter-lambda.jar",
     "dev.flowgate.alerter.handler.AlerterHandler",
     {"source": "flowgate.alerter", "detail-type": "Flush Alert Bursts", "detail": {}}),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_platform(workdir):
    port = free_port()
    log = open(workdir / "platform.log", "w")
    env = dict(os.environ, FLOWGATE_PORT=str(port), FLOWGATE_RESOURCE_PREFIX=PREFIX, FLOWGATE_LOG_FORMAT="text")
    process = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-jar",
                                str(ROOT / "functions/local-runtime/target/local-runtime.jar")],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the platform exited with {process.returncode}; see {log.name}")
        found = re.search(r"export AWS_ENDPOINT_URL=(\S+)", (workdir / "platform.log").read_text())
        if found:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                return process, f"http://127.0.0.1:{port}", found.group(1)
            except OSError:
                pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the platform did not start within 90 s")


def probe(jar, handler, event_file, env, prime):
    args = ["java", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-cp", str(ROOT / jar),
            "dev.flowgate.aws.StartupProbe", handler, str(event_file)] + (["--prime"] if prime else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
    lines = [line for line in out.stdout.splitlines() if line.startswith('{"handler"')]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{handler} probe failed ({out.returncode}):\n{out.stdout[-1500:]}\n{out.stderr[-1500:]}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(prog="scripts/bench-startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="fresh JVMs per function and mode (median shown; default 3)")
    parser.add_argument("--only", help="comma-separated function names (metadata-api,github-webhook,deployer,alerter)")
    options = parser.parse_args()
    chosen = [f for f in FUNCTIONS if not options.only or f[0] in options.only.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="flowgate-bench-startup-"))
    process, url, moto = start_platform(workdir)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWGATE_", "METAFLOW_", "AWS_", "POWERTOOLS_"))}
        env.update(AWS_ENDPOINT_URL=moto, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", FLOWGATE_RESOURCE_PREFIX=PREFIX, METAFLOW_SERVICE_URL=url,
                   FLOWGATE_REPOSITORIES="acme/ml", FLOWGATE_LOG_FORMAT="json", POWERTOOLS_LOG_LEVEL="WARN")
        rows = []
        for name, jar, handler, event in chosen:
            event_file = workdir / f"{name}.json"
            event_file.write_text(json.dumps(event))
            results = {False: [], True: []}
            for _ in range(options.runs):
                for prime in (False, True):
                    results[prime].append(probe(jar, handler, event_file, dict(env, POWERTOOLS_SERVICE_NAME=name), prime))
            med = lambda prime, key: statistics.median(r[key] for r in results[prime])
            rows.append((name, (ROOT / jar).stat().st_size / 1e6,
                         med(False, "built_ms"), med(False, "invoke_ms"), med(False, "first_response_ms"),
                         med(True, "built_ms"), med(True, "primed_ms") - med(True, "built_ms"), med(True, "invoke_ms"),
                         med(True, "first_response_ms")))
            print(f"  {name}: answered {results[True][-1]['answer']!r}", file=sys.stderr, flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"\nStartup per function: median of {options.runs} fresh JVMs each (-XX:TieredStopAtLevel=1, as Lambda), ms from"
          " JVM start; local moto; jar = the function's shaded jar\n")
    header = ("function", "jar MB", "init", "1st request", "JVM->response", "init", "priming", "1st request", "JVM->response")
    print("| | | without priming | | | with priming (SnapStart snapshot holds init + priming) | | | |")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + row[0] + " | " + f"{row[1]:.1f}" + " | " + " | ".join(f"{v:.0f}" for v in row[2:]) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

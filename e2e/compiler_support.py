"""Makes the real Metaflow print its Step Functions JSON offline, and runs Flowgate's compiler on the same flow.

Metaflow's `step-functions create --only-json` registers Batch job definitions and checks the metadata service
before printing, so it needs an AWS endpoint and a service: a moto server on 127.0.0.1 with an S3 bucket and a
Batch job queue backed by a MANAGED compute environment (moto refuses job definitions otherwise), plus a stub
metadata service whose /ping answers `METADATA_SERVICE_VERSION: 2.5.0`. Both tools get the same settings values.
Used by e2e/test_compiler_vs_metaflow.py and scripts/lib/bench_compile.py.
"""
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JAR = ROOT / "functions" / "flow-compiler" / "target" / "flow-compiler-lambda.jar"
REGION = "us-east-1"
BUCKET = "flowgate-compare-datastore"


def venv_python():
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_jar():
    """Builds the compiler's shaded jar when it is missing (never edits the module)."""
    if not JAR.exists():
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "-pl", "functions/flow-compiler", "-am", "package"],
                       cwd=ROOT, check=True)
    return JAR


class _PingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server naming)
        body = b"pong" if self.path.rstrip("/").endswith("/ping") else b"{}"
        self.send_response(200)
        self.send_header("METADATA_SERVICE_VERSION", "2.5.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class MetaflowOffline:
    """A moto server + stub metadata service + the settings both compilers get. Use as a context manager."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.moto = None
        self.stub = None
        self.settings = None
        self.endpoint = None

    def __enter__(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self._moto_log = open(self.workdir / "moto.log", "wb")
        self.moto = subprocess.Popen([venv_python(), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                     stdout=self._moto_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).close()
                break
            except OSError:
                if self.moto.poll() is not None or time.time() > deadline:
                    self.close()
                    raise RuntimeError("moto did not start: " + (self.workdir / "moto.log").read_text()[-2000:])
                time.sleep(0.2)
        self.stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PingHandler)
        threading.Thread(target=self.stub.serve_forever, daemon=True).start()
        queue_arn = self._provision()
        self.settings = {
            "METAFLOW_DEFAULT_DATASTORE": "s3",
            "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{BUCKET}/metaflow",
            "METAFLOW_DATATOOLS_S3ROOT": f"s3://{BUCKET}/data",
            "METAFLOW_DEFAULT_METADATA": "service",
            "METAFLOW_SERVICE_URL": f"http://127.0.0.1:{self.stub.server_address[1]}",
            "METAFLOW_BATCH_JOB_QUEUE": queue_arn,
            "METAFLOW_BATCH_CONTAINER_IMAGE": "public.ecr.aws/docker/library/python:3.11",
            # prefixes every image named without a registry (@batch(image="repo/train:7") included), on both sides
            "METAFLOW_BATCH_CONTAINER_REGISTRY": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": "arn:aws:iam::123456789012:role/flowgate-batch-job",
            "METAFLOW_SFN_IAM_ROLE": "arn:aws:iam::123456789012:role/flowgate-step-functions",
            "METAFLOW_SFN_DYNAMO_DB_TABLE": "flowgate-sfn-foreach",
            "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE": "arn:aws:iam::123456789012:role/flowgate-eventbridge",
            "METAFLOW_DEFAULT_AWS_CLIENT_PROVIDER": "boto3",
            "METAFLOW_S3_ENDPOINT_URL": self.endpoint,
        }
        self.settings_file = self.workdir / "settings.json"
        self.settings_file.write_text(json.dumps(self.settings, indent=2))
        return self

    def _aws_env(self):
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}

    def _provision(self):
        """Creates the bucket and the examples' job queues on a MANAGED compute environment; returns a queue ARN."""
        script = r"""
import boto3, json, sys
bucket = sys.argv[1]
s3 = boto3.client("s3"); s3.create_bucket(Bucket=bucket)
ec2 = boto3.client("ec2"); iam = boto3.client("iam"); batch = boto3.client("batch")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
sg = ec2.create_security_group(GroupName="batch", Description="batch", VpcId=vpc)["GroupId"]
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "batch.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
role = iam.create_role(RoleName="batch-service", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
profile = iam.create_instance_profile(InstanceProfileName="batch-instance")["InstanceProfile"]["Arn"]
ce = batch.create_compute_environment(computeEnvironmentName="flowgate-ce", type="MANAGED", state="ENABLED",
    serviceRole=role, computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "desiredvCpus": 0,
    "instanceTypes": ["optimal"], "subnets": [subnet], "securityGroupIds": [sg], "instanceRole": profile})
arns = [batch.create_job_queue(jobQueueName=name, state="ENABLED", priority=1,
    computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce["computeEnvironmentArn"]}])["jobQueueArn"]
    for name in ["flowgate-spot", "flowgate-efa-gpu", "spot-queue", "flowgate-on-demand"]]
print(arns[-1])
"""
        out = subprocess.run([venv_python(), "-c", script, BUCKET], env={**os.environ, **self._aws_env()},
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("provisioning moto failed: " + out.stderr[-3000:])
        return out.stdout.strip().splitlines()[-1]

    def metaflow_env(self, home):
        env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
        env.update(self._aws_env())
        env.update(self.settings)
        env.update({"METAFLOW_S3_ENDPOINT_URL": self.endpoint, "METAFLOW_HOME": str(home),
                    "USERNAME": "flowgate", "METAFLOW_USER": "flowgate", "PYTHONDONTWRITEBYTECODE": "1"})
        return env

    def metaflow_json(self, flow, timeout=300, options=()):
        """Runs the real Metaflow's `step-functions create --only-json [options]`; returns (definition or None, stderr)."""
        flow = Path(flow).resolve()
        home = self.workdir / ("home-" + flow.stem)
        home.mkdir(exist_ok=True)
        # @project flows take --production as a top-level option; Flowgate is always run with --production.
        production = ["--production"] if "@project" in flow.read_text() else []
        out = subprocess.run([venv_python(), str(flow), "--no-pylint", "--datastore=s3", *production,
                              "step-functions", "create", "--only-json", *options], cwd=flow.parent, env=self.metaflow_env(home),
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            return None, out.stdout[-3000:] + out.stderr[-3000:]
        return extract_json(out.stdout), out.stderr

    def graph_info(self, flow, out, timeout=300):
        """The flow's record as Metaflow writes it for a run (`_graph_info`, mutators applied), written to out as JSON.

        Runs the real Metaflow's `init` (what its Step Functions and Argo deployments run before `start`: it persists
        the run's constants) against the emulated S3 datastore with local metadata, then decodes the artifact from the
        datastore: Metaflow's content-addressed store holds a gzipped pickle. The flow's steps never run."""
        flow = Path(flow).resolve()
        home = self.workdir / ("home-init-" + flow.stem)
        home.mkdir(exist_ok=True)
        run_id = "graph-" + flow.stem.replace("_", "-")
        done = subprocess.run([venv_python(), str(flow), "--no-pylint", "--quiet", "--datastore=s3", "--metadata=local",
                               "init", "--run-id", run_id, "--task-id", "1"], cwd=self.workdir, env=self.metaflow_env(home),
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError("metaflow init failed: " + done.stdout[-2000:] + done.stderr[-3000:])
        script = r"""
import boto3, gzip, json, pickle, sys
bucket, flow, run_id, out = sys.argv[1:]
s3 = boto3.client("s3")
listing = json.loads(s3.get_object(Bucket=bucket, Key=f"metaflow/{flow}/{run_id}/_parameters/1/0.data.json")["Body"].read())
sha = listing["objects"]["_graph_info"]
blob = s3.get_object(Bucket=bucket, Key=f"metaflow/{flow}/data/{sha[:2]}/{sha}")["Body"].read()
json.dump(pickle.loads(gzip.decompress(blob)), open(out, "w"), indent=1, sort_keys=True)
"""
        flow_name = re.search(r"^class (\w+)\(FlowSpec\)", flow.read_text(), re.M).group(1)
        read = subprocess.run([venv_python(), "-c", script, BUCKET, flow_name, run_id, str(out)],
                              env={**os.environ, **self._aws_env()}, capture_output=True, text=True, timeout=120)
        if read.returncode != 0:
            raise RuntimeError("reading _graph_info failed: " + read.stderr[-3000:])
        return Path(out)

    def flowgate_json(self, flow, timeout=120, options=()):
        """Flowgate's state machine for the flow, with the job definitions it registers under "job_definitions"."""
        job_definitions = self.workdir / ("job-definitions-" + Path(flow).stem + ".json")
        out = subprocess.run(["java", "-jar", str(ensure_jar()), "compile", str(Path(flow).resolve()), "--settings",
                              str(self.settings_file), "--production", "--job-definitions-out", str(job_definitions),
                              *options], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"flowgate compile failed ({out.returncode}): {out.stderr[-3000:]}")
        definition = extract_json(out.stdout)
        definition["job_definitions"] = json.loads(job_definitions.read_text())
        return definition

    def registered_job_definitions(self):
        """job definition ARN -> every job definition registered in the emulated Batch so far (Metaflow's
        `step-functions create` registers one per distinct container, `BatchJob._register_job_definition`)."""
        script = r"""
import boto3, json
pages = boto3.client("batch").get_paginator("describe_job_definitions").paginate()
print(json.dumps({d["jobDefinitionArn"]: d for page in pages for d in page["jobDefinitions"]}, default=str))
"""
        out = subprocess.run([venv_python(), "-c", script], env={**os.environ, **self._aws_env()}, capture_output=True,
                             text=True, timeout=120, check=True)
        return json.loads(out.stdout)

    def close(self):
        if self.stub is not None:
            self.stub.shutdown()
            self.stub.server_close()
            self.stub = None
        if self.moto is not None:
            self.moto.terminate()
            try:
                self.moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.moto.kill()
                self.moto.wait()
            self.moto = None
            self._moto_log.close()

    def __exit__(self, *exc):
        self.close()


def extract_json(text):
    """The first top-level JSON object in a command's output (Metaflow prints banner lines around it)."""
    start = text.index("{")
    obj, _ = json.JSONDecoder().raw_decode(text[start:])
    return obj

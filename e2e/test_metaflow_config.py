"""scripts/metaflow-config turns stack outputs into a Metaflow config, against CloudFormation and API Gateway
emulated by moto (the stacks carry the outputs the CDK app declares)."""
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[1]


def aws_env(url):
    return dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1")


def stack(outputs):
    return json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                       "Outputs": {k: {"Value": v} for k, v in outputs.items()}})


def test_config_is_written_from_outputs_with_the_key_fetched_and_hidden(moto_url, tmp_path):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    key = session.client("apigateway", endpoint_url=moto_url).create_api_key(name="flowgate-metaflow-client", enabled=True,
                                                                         value="s3cr3t-value-0123456789")
    cfn = session.client("cloudformation", endpoint_url=moto_url)
    cfn.create_stack(StackName="Flowgate-team1-Data", TemplateBody=stack({
        "METAFLOWDATASTORESYSROOTS3": "s3://bucket/metaflow", "METAFLOWDATATOOLSS3ROOT": "s3://bucket/data",
        "METAFLOWSFNDYNAMODBTABLE": "flowgate-sfn-foreach"}))
    cfn.create_stack(StackName="Flowgate-team1-Compute", TemplateBody=stack({
        "METAFLOWBATCHJOBQUEUE": "arn:aws:batch:us-east-1:123456789012:job-queue/flowgate-on-demand",
        "METAFLOWECSS3ACCESSIAMROLE": "arn:aws:iam::123456789012:role/job"}))
    cfn.create_stack(StackName="Flowgate-team1-ControlPlane", TemplateBody=stack({
        "METAFLOWSERVICEURL": "https://abc.execute-api.us-east-1.amazonaws.com/v1/",
        "METAFLOWSFNIAMROLE": "arn:aws:iam::123456789012:role/sfn",
        "METAFLOWEVENTSSFNACCESSIAMROLE": "arn:aws:iam::123456789012:role/events",
        "METAFLOWSERVICEAUTHKEYID": key["id"]}))
    out = tmp_path / "config.json"
    result = subprocess.run([str(ROOT / "scripts" / "metaflow-config"), "team1", "--out", str(out)],
                            capture_output=True, text=True, env=aws_env(moto_url))
    assert result.returncode == 0, result.stderr
    config = json.loads(out.read_text())
    assert config["METAFLOW_SERVICE_URL"] == "https://abc.execute-api.us-east-1.amazonaws.com/v1"
    assert config["METAFLOW_SERVICE_AUTH_KEY"] == "s3cr3t-value-0123456789"
    assert config["METAFLOW_BATCH_JOB_QUEUE"].endswith("job-queue/flowgate-on-demand")
    assert config["METAFLOW_DEFAULT_METADATA"] == "service"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "s3cr3t" not in result.stdout + result.stderr
    again = subprocess.run([str(ROOT / "scripts" / "metaflow-config"), "team1", "--out", str(out)],
                           capture_output=True, text=True, env=aws_env(moto_url))
    assert again.returncode != 0 and "--force" in again.stderr


def test_unknown_team_says_what_to_do(moto_url, tmp_path):
    result = subprocess.run([str(ROOT / "scripts" / "metaflow-config"), "nobody", "--out", str(tmp_path / "c.json")],
                            capture_output=True, text=True, env=aws_env(moto_url))
    assert result.returncode != 0
    assert "scripts/deploy nobody" in result.stderr


@pytest.mark.parametrize("script, args", [("metaflow-config", ["team1", "--out", "OUT"]),
                                          ("publish-metaflow-layer", ["--datastore", "s3://bucket/metaflow"])])
def test_missing_region_or_credentials_is_one_line_with_the_fix_and_usage_names_the_command(tmp_path, script, args):
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                AWS_EC2_METADATA_DISABLED="true")
    args = [a.replace("OUT", str(tmp_path / "config.json")) for a in args]
    # S3 needs no region, so the layer's first complaint without either is the credentials
    first = "set AWS_REGION and AWS_DEFAULT_REGION" if script == "metaflow-config" else "no AWS credentials"
    for env, fix in ((base, first),
                     (dict(base, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1"), "no AWS credentials")):
        done = subprocess.run([str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and fix in done.stderr, done.stderr
        assert done.stderr.strip().count("\n") == 0, done.stderr
    usage = subprocess.run([str(ROOT / "scripts" / script), "--help"], capture_output=True, text=True, timeout=120)
    assert usage.stdout.startswith(f"usage: scripts/{script} "), usage.stdout

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

"""The local platform's own scripts against a running platform: scripts/send-sample-failure posts its alert and
leaves the state machines already deployed there alone (it once switched moto's Step Functions execution on,
which moves moto to a separate, empty store of state machines)."""
import json
import subprocess
import urllib.request
import uuid

import boto3

from conftest import ROOT

DEFINITION = json.dumps({"StartAt": "a", "States": {"a": {"Type": "Pass", "End": True}}})


def _stepfunctions(platform_url):
    with urllib.request.urlopen(platform_url + "/healthz", timeout=10) as response:
        endpoint = json.loads(response.read())["emulator"]["endpoint"]
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _names(sfn):
    return {machine["name"] for machine in sfn.list_state_machines()["stateMachines"]}


def test_send_sample_failure_alerts_and_leaves_deployed_state_machines_alone(platform_url):
    sfn = _stepfunctions(platform_url)
    deployed = "DeployedFlow-" + uuid.uuid4().hex[:8]
    sfn.create_state_machine(name=deployed, definition=DEFINITION, roleArn="arn:aws:iam::123456789012:role/flowgate-sfn",
                             tags=[{"key": "flowgate:deployment", "value": "d-e2e"}])

    result = subprocess.run([str(ROOT / "scripts" / "send-sample-failure"), "--url", platform_url],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "SampleFailureFlow" in result.stdout
    assert "still RUNNING" not in result.stderr  # the platform's moto runs state machines
    assert {deployed, "SampleFailureFlow"} <= _names(sfn)

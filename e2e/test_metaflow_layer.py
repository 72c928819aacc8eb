"""scripts/publish-metaflow-layer stores the pinned Metaflow library as a deterministic archive the deployer reads."""
import io
import os
import subprocess
import tarfile
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]


def test_layer_is_published_deterministically_with_the_metaflow_library(moto_url):
    url = moto_url
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="datastore")
    outputs = []
    for _ in range(2):
        result = subprocess.run([str(ROOT / "scripts" / "publish-metaflow-layer"), "--datastore", "s3://datastore/metaflow"],
                                capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
        key = result.stdout.strip().split("s3://datastore/", 1)[1]
        outputs.append(s3.get_object(Bucket="datastore", Key=key)["Body"].read())
    assert outputs[0] == outputs[2] and outputs[0].startswith("FLOWGATE_METAFLOW_LAYER=s3://datastore/metaflow/flowgate/metaflow-layer/")
    assert outputs[1] == outputs[3], "the same library must give the same bytes"
    names = tarfile.open(fileobj=io.BytesIO(outputs[1]), mode="r:gz").getnames()
    assert "metaflow/__init__.py" in names and "metaflow/cli.py" in names
    assert not any("__pycache__" in n for n in names)
    bad = subprocess.run([str(ROOT / "scripts" / "publish-metaflow-layer"), "--datastore", "/tmp/x"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "s3://" in bad.stderr

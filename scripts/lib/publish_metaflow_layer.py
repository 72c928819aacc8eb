"""Publishes the Metaflow runtime layer experimental deployments package with.

Archives the installed `metaflow` library (the files of site-packages/metaflow, as a Batch task imports them from
.mf_code/) into a deterministic tar.gz, stores it in the datastore bucket under
<datastore root>/flowgate/metaflow-layer/metaflow-<version>.tar.gz, and prints the FLOWGATE_METAFLOW_LAYER value
to give the deployer. Uses the AWS credentials of the environment (AWS_ENDPOINT_URL for an emulator).
"""
import argparse
import gzip
import io
import sys
import tarfile
from pathlib import Path

import boto3
import botocore.exceptions


def build_layer(package_dir):
    """A tar.gz of metaflow/** with sorted members, fixed mtime and modes: the same library gives the same bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in package_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            data = path.read_bytes()
            info = tarfile.TarInfo("metaflow/" + path.relative_to(package_dir).as_posix())
            info.size, info.mtime, info.mode = len(data), 1575360000, 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=3, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def aws_fix(error):
    """One line for an AWS SDK failure, with what to do about it."""
    if isinstance(error, botocore.exceptions.NoRegionError):
        return "no AWS region: set AWS_REGION and AWS_DEFAULT_REGION (or AWS_PROFILE with a region) to your team's region"
    if isinstance(error, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return "no AWS credentials: run 'aws configure' or 'aws sso login', or set AWS_PROFILE"
    if isinstance(error, botocore.exceptions.EndpointConnectionError):
        return f"cannot reach AWS ({error}): check your network, AWS_REGION and AWS_ENDPOINT_URL"
    return str(error).splitlines()[0]


def main():
    parser = argparse.ArgumentParser(prog="scripts/publish-metaflow-layer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datastore", required=True, help="the datastore root, e.g. s3://my-bucket/metaflow")
    args = parser.parse_args()
    if not args.datastore.startswith("s3://"):
        raise SystemExit("error: --datastore must be an s3:// URL (METAFLOW_DATASTORE_SYSROOT_S3)")
    import metaflow
    from metaflow.metaflow_version import get_version
    package_dir = Path(metaflow.__file__).parent
    version = get_version()
    body = build_layer(package_dir)
    bucket, _, prefix = args.datastore[len("s3://"):].partition("/")
    key = "/".join(p for p in (prefix.strip("/"), "flowgate/metaflow-layer", f"metaflow-{version}.tar.gz") if p)
    try:
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
    except botocore.exceptions.BotoCoreError as error:  # no region, no credentials, no connection
        raise SystemExit(f"error: {aws_fix(error)}")
    except botocore.exceptions.ClientError as error:
        raise SystemExit("error: " + str(error).splitlines()[0])
    print(f"published metaflow {version} ({len(body)} bytes)", file=sys.stderr)
    print(f"FLOWGATE_METAFLOW_LAYER=s3://{bucket}/{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

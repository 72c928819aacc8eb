"""Turns a deployed Flowgate's stack outputs into a Metaflow config file for data scientists.

Reads the outputs of the Flowgate-<team>-* CloudFormation stacks, fetches the metadata API key's value (never
printed), and writes a Metaflow config JSON (mode 0600). Uses the AWS credentials of the environment.
"""
import argparse
import json
import os
import sys
from pathlib import Path

import boto3
import botocore.exceptions

# stack output key -> Metaflow config key
OUTPUTS = {
    "METAFLOWSERVICEURL": "METAFLOW_SERVICE_URL",
    "METAFLOWDATASTORESYSROOTS3": "METAFLOW_DATASTORE_SYSROOT_S3",
    "METAFLOWDATATOOLSS3ROOT": "METAFLOW_DATATOOLS_S3ROOT",
    "METAFLOWBATCHJOBQUEUE": "METAFLOW_BATCH_JOB_QUEUE",
    "METAFLOWECSS3ACCESSIAMROLE": "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
    "METAFLOWSFNIAMROLE": "METAFLOW_SFN_IAM_ROLE",
    "METAFLOWSFNDYNAMODBTABLE": "METAFLOW_SFN_DYNAMO_DB_TABLE",
    "METAFLOWEVENTSSFNACCESSIAMROLE": "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE",
}
API_KEY_ID = "METAFLOWSERVICEAUTHKEYID"


def build_config(team, session):
    cloudformation = session.client("cloudformation")
    outputs = {}
    prefix = f"Flowgate-{team}-"
    for page in cloudformation.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            if stack["StackName"].startswith(prefix):
                for output in stack.get("Outputs", []):
                    outputs[output["OutputKey"]] = output["OutputValue"]
    if not outputs:
        raise SystemExit(f"error: no stacks named {prefix}* in this account/region; deploy with scripts/deploy {team} first")
    missing = [key for key in list(OUTPUTS) + [API_KEY_ID] if key not in outputs]
    if missing:
        raise SystemExit("error: the stacks lack the outputs " + ", ".join(missing) + "; redeploy with the current infra-cdk")
    config = {OUTPUTS[key]: outputs[key] for key in OUTPUTS}
    config["METAFLOW_SERVICE_URL"] = config["METAFLOW_SERVICE_URL"].rstrip("/")
    config["METAFLOW_DEFAULT_DATASTORE"] = "s3"
    config["METAFLOW_DEFAULT_METADATA"] = "service"
    config["METAFLOW_SERVICE_AUTH_KEY"] = session.client("apigateway").get_api_key(
        apiKey=outputs[API_KEY_ID], includeValue=True)["value"]
    return config


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
    parser = argparse.ArgumentParser(prog="scripts/metaflow-config", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("team", help="the team name of infra-cdk/teams/<team>.json")
    parser.add_argument("--out", default=str(Path.home() / ".metaflowconfig" / "config.json"),
                        help="where to write the config (default ~/.metaflowconfig/config.json)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists() and not args.force:
        raise SystemExit(f"error: {out} exists; pass --force to overwrite it")
    try:
        config = build_config(args.team, boto3.session.Session())
    except botocore.exceptions.BotoCoreError as error:  # no region, no credentials, no connection
        raise SystemExit(f"error: {aws_fix(error)}")
    except botocore.exceptions.ClientError as error:
        raise SystemExit("error: " + str(error).splitlines()[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(config, handle, indent=2, sort_keys=True)
        handle.write("\n")
    shown = {k: ("<hidden>" if k == "METAFLOW_SERVICE_AUTH_KEY" else v) for k, v in config.items()}
    print(f"wrote {out}:")
    print(json.dumps(shown, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

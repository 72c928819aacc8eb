#!/usr/bin/env bash
# Starts an execution of the deployed {{ cookiecutter.flow_name }} with parameters.
# usage: scripts/run-step-function.sh [--branch BRANCH] [NAME=VALUE ...]
set -euo pipefail
branch=prod
params=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,3p' "$0"; exit 0;;
    --branch) branch="test.$2"; shift 2;;
    *=*) params+=("$1"); shift;;
    *) echo "error: expected NAME=VALUE or --branch BRANCH, got '$1'" >&2; exit 2;;
  esac
done
name="{{ cookiecutter.project_name }}.${branch}.{{ cookiecutter.flow_name }}"
arn=$(aws stepfunctions list-state-machines --query "stateMachines[?name=='${name}'].stateMachineArn" --output text)
[ -n "$arn" ] || { echo "error: no state machine named ${name}; has Flowgate deployed this branch?" >&2; exit 1; }
input=$(python3 -c 'import json,sys; print(json.dumps({"Parameters": json.dumps(dict(a.split("=", 1) for a in sys.argv[1:]))}))' "${params[@]+"${params[@]}"}")
aws stepfunctions start-execution --state-machine-arn "$arn" --input "$input"

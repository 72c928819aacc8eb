#!/usr/bin/env bash
# Asks Flowgate to deploy this commit; the one deploy step of CI (the Jenkinsfile and .github/workflows/deploy.yml).
# usage: scripts/flowgate-deploy.sh [--dry-run] [--print-request]
#   Repository: OWNER/REPO from FLOWGATE_GIT_URL, GIT_URL (Jenkins), GitHub Actions' GITHUB_REPOSITORY, or the
#   origin remote (https and ssh forms). Commit: GIT_COMMIT, GITHUB_SHA or HEAD. Branch: BRANCH_NAME (Jenkins),
#   GITHUB_REF_NAME (Actions) or the current branch. The deployer: FLOWGATE_DEPLOYER (default flowgate-deployer)
#   through `aws lambda invoke`, or the local platform's Invoke API when FLOWGATE_LOCAL_URL is set.
#   Exit 0 when Flowgate says ok; otherwise 1 with its outcome and message (2: this script was misused).
set -euo pipefail
dry_run=false
print_request=false
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    --dry-run) dry_run=true;;
    --print-request) print_request=true;;
    *) echo "error: unknown argument '$arg' (see --help)" >&2; exit 2;;
  esac
done

# owner/repo of a git URL: https://host/OWNER/REPO(.git), ssh://git@host(:port)/OWNER/REPO(.git), git@host:OWNER/REPO(.git)
owner_repo() {
  local url="${1%/}"
  url="${url%.git}"
  if [[ "$url" =~ ^(https?|ssh|git)://([^/]+)/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$ ]]; then
    printf '%s/%s\n' "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}"
  elif [[ "$url" =~ ^[^@/:]+@[^:/]+:([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$ ]]; then
    printf '%s/%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    return 1
  fi
}

if [ -n "${GITHUB_REPOSITORY:-}" ] && [ -z "${FLOWGATE_GIT_URL:-}${GIT_URL:-}" ]; then
  repository="$GITHUB_REPOSITORY"
else
  url="${FLOWGATE_GIT_URL:-${GIT_URL:-$(git remote get-url origin 2>/dev/null || true)}}"
  [ -n "$url" ] || { echo "error: no git URL: set GIT_URL (Jenkins sets it) or add an origin remote" >&2; exit 2; }
  repository="$(owner_repo "$url")" || { echo "error: '$url' is not a repository URL of the form https://host/OWNER/REPO or git@host:OWNER/REPO" >&2; exit 2; }
fi
commit="${GIT_COMMIT:-${GITHUB_SHA:-$(git rev-parse HEAD)}}"
branch="${BRANCH_NAME:-${GITHUB_REF_NAME:-$(git symbolic-ref --short -q HEAD || true)}}"
[ -n "$branch" ] || { echo "error: no branch: set BRANCH_NAME (a detached HEAD names none)" >&2; exit 2; }

request="$(python3 - "$repository" "$commit" "$branch" "$dry_run" <<'PY'
import json, os, sys
repository, commit, branch, dry_run = sys.argv[1:]
request = {"repository": repository, "commit_sha": commit, "ref": "refs/heads/" + branch, "dry_run": dry_run == "true"}
if os.environ.get("BUILD_URL"):  # Jenkins
    request.update(source="jenkins", request_id=f"jenkins:{os.environ.get('JOB_NAME', 'job')}#{os.environ.get('BUILD_NUMBER', '0')}",
                   ci={"build_url": os.environ["BUILD_URL"]})
print(json.dumps(request))
PY
)"
if [ "$print_request" = true ]; then printf '%s\n' "$request"; exit 0; fi

function="${FLOWGATE_DEPLOYER:-flowgate-deployer}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%s' "$request" > "$work/request.json"
echo "Flowgate: deploying $repository@${commit:0:12} (refs/heads/$branch) with $function" >&2
if [ -n "${FLOWGATE_LOCAL_URL:-}" ]; then
  curl -sS --max-time 900 -D "$work/headers" -o "$work/result.json" -X POST -H 'Content-Type: application/json' \
       --data-binary "@$work/request.json" "${FLOWGATE_LOCAL_URL%/}/2015-03-31/functions/$function/invocations" \
    || { echo "error: the local platform at $FLOWGATE_LOCAL_URL did not answer" >&2; exit 1; }
  grep -qi '^x-amz-function-error' "$work/headers" && function_error=1 || function_error=0
else
  # one attempt: a retry would start a second deployment; the read timeout outlasts the deployer's own
  AWS_MAX_ATTEMPTS=1 aws lambda invoke --function-name "$function" --cli-binary-format raw-in-base64-out \
      --cli-read-timeout 900 --cli-connect-timeout 10 --payload "file://$work/request.json" \
      "$work/result.json" > "$work/invoke.json"
  grep -q FunctionError "$work/invoke.json" && function_error=1 || function_error=0
fi

python3 - "$work/result.json" "$function_error" <<'PY'
import json, sys
path, function_error = sys.argv[1], sys.argv[2] == "1"
try:
    result = json.load(open(path))
except ValueError:
    print("Flowgate: error: the deployer answered something that is not JSON: " + open(path).read()[:300])
    sys.exit(1)
if function_error:
    print(f"Flowgate: error: the deployer failed: {result.get('errorMessage', result)}")
    sys.exit(1)
for flow in result.get("flows", []):
    print(f"  {flow.get('flow')}: {flow.get('outcome')} - {flow.get('message')}")
if result.get("ok"):
    print(f"Flowgate: {result.get('message')} (deployment {result.get('deployment_id')})")
    sys.exit(0)
errors = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in result.get("errors", []))
print(f"Flowgate: {result.get('outcome')}: {result.get('message') or errors}")
sys.exit(1)
PY

# Shared helpers for scripts/*: sourced, never run.
FLOWGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${FLOWGATE_VENV:-$FLOWGATE_ROOT/.venv}"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"
}

# True when the venv exists and matches the pinned requirements.
venv_is_current() {
  [ -x "$VENV/bin/python" ] && [ -f "$VENV/.requirements" ] && \
    cmp -s "$VENV/.requirements" "$FLOWGATE_ROOT/scripts/python-requirements.txt"
}

ensure_venv() {
  if venv_is_current; then return 0; fi
  need python3 "install Python 3 (3.9 or newer) with pip and venv"
  say "Creating the Python environment in $VENV (moto, metaflow; about half a minute)..."
  python3 -m venv "$VENV" || die "python3 -m venv failed: install the venv module (Debian: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$FLOWGATE_ROOT/scripts/python-requirements.txt" \
      || die "pip install failed; see above"
  cp "$FLOWGATE_ROOT/scripts/python-requirements.txt" "$VENV/.requirements"
}

# The template scanners (cfn-lint, checkov) in their own environment: checkov pins boto3/botocore below what moto
# and Metaflow in .venv use. Created on first use by scripts/scan-templates.
IAC_VENV="${FLOWGATE_IAC_VENV:-$FLOWGATE_ROOT/.venv-iac}"
ensure_iac_venv() {
  if [ -x "$IAC_VENV/bin/python" ] && cmp -s "$IAC_VENV/.requirements" "$FLOWGATE_ROOT/scripts/iac-requirements.txt"; then
    return 0
  fi
  need python3 "install Python 3 (3.9 or newer) with pip and venv"
  say "Creating the template scanners' environment in $IAC_VENV (cfn-lint, checkov; about two minutes)..."
  python3 -m venv "$IAC_VENV" || die "python3 -m venv failed: install the venv module (Debian: apt-get install python3-venv)"
  "$IAC_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$FLOWGATE_ROOT/scripts/iac-requirements.txt" || die "pip install of the template scanners failed; see above"
  cp "$FLOWGATE_ROOT/scripts/iac-requirements.txt" "$IAC_VENV/.requirements"
}

# Installs dynalite (pinned in its package.json), the local platform's DynamoDB for the metadata table.
ensure_dynalite() {
  local dir="$FLOWGATE_ROOT/functions/emulator/dynalite"
  [ -f "$dir/node_modules/dynalite/cli.js" ] && return 0
  need npm "install Node 20 with npm (or set FLOWGATE_METADATA_STORE=emulator to keep the metadata table in moto)"
  say "Installing dynalite, the local DynamoDB (npm install, a few seconds)..."
  (cd "$dir" && npm install --no-audit --no-fund --silent) || die "npm install in $dir failed; see above"
}

# Builds the Maven modules when a jar the command needs is missing or older than the sources.
ensure_built() {
  [ "${FLOWGATE_METADATA_STORE:-dynalite}" = dynalite ] && ensure_dynalite
  local marker="$FLOWGATE_ROOT/functions/local-runtime/target/local-runtime.jar"
  if [ -f "$marker" ] && [ -z "$(find "$FLOWGATE_ROOT" -name '*.java' -newer "$marker" -not -path '*/target/*' -print -quit)" ] \
     && [ -z "$(find "$FLOWGATE_ROOT" -name pom.xml -newer "$marker" -not -path '*/target/*' -print -quit)" ]; then
    return 0
  fi
  need mvn "install Maven 3.8+ (Debian: apt-get install maven)"
  need java "install a Java 17 JDK"
  say "Building the local runtime (mvn package, tests skipped; the first build downloads dependencies)..."
  (cd "$FLOWGATE_ROOT" && mvn -q -B -DskipTests -pl functions/local-runtime -am package) || die "the build failed; see above"
}

# A team's settings file from what scripts/synth and scripts/deploy take: a path to the JSON, or a team name
# (infra-cdk/teams/<team>.json). Prints the path relative to the checkout.
team_settings() {
  local given="$1"
  if [ -f "$given" ]; then (cd "$(dirname "$given")" && printf '%s/%s\n' "$(pwd)" "$(basename "$given")"); return 0; fi
  if [ -f "$FLOWGATE_ROOT/$given" ]; then printf '%s\n' "$FLOWGATE_ROOT/$given"; return 0; fi
  if [ -f "$FLOWGATE_ROOT/infra-cdk/$given" ]; then printf '%s\n' "$FLOWGATE_ROOT/infra-cdk/$given"; return 0; fi
  if [[ "$given" =~ ^[a-z][a-z0-9-]*$ ]] && [ -f "$FLOWGATE_ROOT/infra-cdk/teams/$given.json" ]; then
    printf '%s\n' "$FLOWGATE_ROOT/infra-cdk/teams/$given.json"; return 0
  fi
  die "no team settings '$given': give infra-cdk/teams/TEAM.json (or the team name TEAM); copy infra-cdk/teams/example.json to start"
}

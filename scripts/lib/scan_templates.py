"""cfn-lint and checkov over synthesized templates, every finding either suppressed with a reason or reported.

usage: scan_templates.py DIR SUPPRESSIONS.yaml   (run by scripts/scan-templates)
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml


def load_suppressions(path):
    entries = yaml.safe_load(Path(path).read_text())
    problems = []
    for tool in ("cfn-lint", "checkov"):
        for i, s in enumerate(entries.get(tool) or []):
            where = f"{path}: {tool}[{i}]"
            if not s.get("rule") or not s.get("resources"):
                problems.append(f"{where} needs rule and resources")
            if len(str(s.get("reason", "")).strip()) < 20:
                problems.append(f"{where} ({s.get('rule')}) needs a written reason")
            s["pattern"] = re.compile(s.get("resources", "$^"))
            s["used"] = 0
    if problems:
        sys.exit("\n".join(problems))
    return entries


def cfn_lint(files):
    out = subprocess.run(["cfn-lint", "--format", "json", *files], capture_output=True, text=True)
    if out.returncode not in (0, 2, 4, 6, 8, 10, 12, 14) and not out.stdout.strip().startswith("["):
        sys.exit(f"cfn-lint failed to run:\n{out.stderr}")
    for m in json.loads(out.stdout or "[]"):
        path = m.get("Location", {}).get("Path") or []
        resource = path[1] if len(path) > 1 and path[0] in ("Resources", "Outputs") else ""
        yield m["Rule"]["Id"], resource, Path(m["Filename"]).name, m["Message"]


def checkov(directory):
    out = subprocess.run(["checkov", "-d", directory, "--framework", "cloudformation", "-o", "json", "--quiet",
                          "--skip-download"], capture_output=True, text=True)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit(f"checkov failed to run:\n{out.stdout}\n{out.stderr}")
    reports = report if isinstance(report, list) else [report]
    for r in reports:
        for f in r.get("results", {}).get("failed_checks", []):
            yield f["check_id"], f["resource"].split(".", 1)[-1], Path(f["file_path"]).name, f["check_name"]


def main(directory, suppressions_file):
    files = sorted(str(p) for p in Path(directory).glob("*.template.json"))
    suppressions = load_suppressions(suppressions_file)
    unsuppressed = []
    counts = {}
    for tool, findings in (("cfn-lint", cfn_lint(files)), ("checkov", checkov(directory))):
        counts[tool] = [0, 0]
        for rule, resource, file, message in findings:
            counts[tool][0] += 1
            match = next((s for s in suppressions.get(tool) or []
                          if s["rule"] == rule and s["pattern"].fullmatch(resource)), None)
            if match:
                match["used"] += 1
                counts[tool][1] += 1
            else:
                unsuppressed.append(f"{tool} {rule} {file} {resource}: {message}")
    stale = [f"{tool} {s['rule']} {s['resources']}" for tool in ("cfn-lint", "checkov")
             for s in suppressions.get(tool) or [] if s["used"] == 0]
    for tool, (found, suppressed) in counts.items():
        print(f"{tool}: {found} findings, {suppressed} suppressed with a reason, {found - suppressed} unsuppressed")
    for line in unsuppressed:
        print(f"  unsuppressed: {line}")
    for line in stale:
        print(f"  stale suppression (matches nothing; remove it): {line}")
    return 1 if unsuppressed or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

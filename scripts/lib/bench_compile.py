"""Times Flowgate's compiler against the real Metaflow's `step-functions create --only-json` on generated flows.

For each size it writes a flow of exactly N steps (start, then a repeating pattern of a linear step, a static
split of two branches with its join and a foreach with one body step and its join, then end), compiles it with
`java -jar flow-compiler-lambda.jar compile` and, unless the size is above --metaflow-max-steps or Metaflow runs
past --metaflow-timeout, with the real Metaflow against moto and a stub metadata service (e2e/compiler_support.py).
Each figure is the best of --repeat runs of a fresh process, measured from outside (wall clock), so Flowgate's
figure includes the JVM start; the JVM start alone is shown as `graph` on a two-step flow. Peak RSS comes from
/usr/bin/time -v when present, else from getrusage(RUSAGE_CHILDREN) (a high-water mark over all children).
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))
from compiler_support import MetaflowOffline, ensure_jar, extract_json, venv_python  # noqa: E402

SFN_LIMIT = 1024 * 1024
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def generate_flow(steps):
    """Python source of a flow named Bench<steps>Flow with exactly `steps` steps (at least 2)."""
    if steps < 2:
        raise ValueError("a flow needs at least 2 steps (start and end)")
    blocks = []  # each: (head, tail, [(name, is_join, body lines, next expression or None for the link)])
    count, n = 2, 0
    while count < steps:
        left, kind = steps - count, n % 3
        if kind == 1 and left >= 4:
            blocks.append((f"p{n}", f"j{n}", [(f"p{n}", False, [], f"self.a{n}, self.b{n}"),
                                              (f"a{n}", False, [], f"self.j{n}"), (f"b{n}", False, [], f"self.j{n}"),
                                              (f"j{n}", True, [], None)]))
            count += 4
        elif kind == 2 and left >= 3:
            fanout = (f"f{n}", False, ["self.items = [1, 2]"], f"self.x{n}, foreach=\"items\"")
            blocks.append((f"f{n}", f"fj{n}", [fanout,
                                               (f"x{n}", False, [], f"self.fj{n}"), (f"fj{n}", True, [], None)]))
            count += 3
        else:
            blocks.append((f"s{n}", f"s{n}", [(f"s{n}", False, [], None)]))
            count += 1
        n += 1
    heads = [b[0] for b in blocks] + ["end"]
    methods = [("start", False, [], "self." + heads[0])]
    for i, (_, _, members) in enumerate(blocks):
        methods += [(name, join, body, nxt or "self." + heads[i + 1]) for name, join, body, nxt in members]
    lines = ["from metaflow import FlowSpec, step", "", "", f"class Bench{steps}Flow(FlowSpec):"]
    for name, join, body, nxt in methods:
        lines += ["    @step", f"    def {name}(self{', inputs' if join else ''}):",
                  *("        " + line for line in body), f"        self.next({nxt})", ""]
    lines += ["    @step", "    def end(self):", "        pass", "", "",
              'if __name__ == "__main__":', f"    Bench{steps}Flow()", ""]
    text = "\n".join(lines)
    if text.count("@step") != steps:
        raise AssertionError(f"generated {text.count('@step')} steps instead of {steps}")
    return text


def timed(cmd, timeout, **kwargs):
    """Runs cmd; returns (seconds, peak RSS in KiB or None, CompletedProcess)."""
    if TIME:
        cmd = [TIME, "-v", *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    # its own process group, so that a timeout also ends the process /usr/bin/time started
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, **kwargs)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    out = subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr)
    seconds = time.perf_counter() - start
    rss = None
    if TIME:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
        rss = int(m.group(1)) if m else None
        out.stderr = re.sub(r"Command exited with non-zero status \d+\n", "",
                            out.stderr.split("\tCommand being timed:")[0])
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss = after if after > before else None
    return seconds, rss, out


def best(runs):
    ok = [r for r in runs if r[2].returncode == 0]
    pick = min(ok or runs, key=lambda r: r[0])
    return pick[0], max((r[1] or 0) for r in runs) or None, pick[2]


def definition_bytes(stdout):
    return len(json.dumps(extract_json(stdout), separators=(",", ":")).encode())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/bench-compile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,500", help="step counts, comma-separated (default 50,200,500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, the best is shown (default 3)")
    parser.add_argument("--metaflow-max-steps", type=int, default=200,
                        help="skip Metaflow above this many steps (default 200; it needs minutes there already)")
    parser.add_argument("--metaflow-timeout", type=float, default=240,
                        help="seconds before a Metaflow run is abandoned and noted (default 240)")
    parser.add_argument("--keep", metavar="DIR", help="write the generated flows and both JSONs to DIR")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    jar = str(ensure_jar())
    work = Path(tempfile.mkdtemp(prefix="bench-compile-"))
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    notes, rows = [], []
    try:
        with MetaflowOffline(work / "offline") as offline:
            tiny = work / "tiny_flow.py"
            tiny.write_text(generate_flow(2))
            jvm = best([timed(["java", "-jar", jar, "graph", str(tiny)], 60) for _ in range(args.repeat)])
            for steps in sizes:
                flow = work / f"bench{steps}_flow.py"
                flow.write_text(generate_flow(steps))
                fg = best([timed(["java", "-jar", jar, "compile", str(flow), "--settings", str(offline.settings_file),
                                  "--production"], 300) for _ in range(args.repeat)])
                fg_bytes = definition_bytes(fg[2].stdout) if fg[2].returncode == 0 else None
                if fg[2].returncode != 0:
                    notes.append(f"{steps} steps: Flowgate refused: {fg[2].stderr.strip()[-400:]}")
                mf = None
                mf_bytes = None
                if steps > args.metaflow_max_steps:
                    notes.append(f"{steps} steps: Metaflow skipped (above --metaflow-max-steps)")
                else:
                    home = work / f"home{steps}"
                    home.mkdir()
                    cmd = [venv_python(), str(flow), "--no-pylint", "--datastore=s3", "step-functions", "create",
                           "--only-json"]
                    runs = []
                    try:
                        for _ in range(args.repeat):
                            runs.append(timed(cmd, args.metaflow_timeout, cwd=work, env=offline.metaflow_env(home)))
                            if runs[-1][0] > args.metaflow_timeout / 3:
                                break  # slow enough that one run tells the story
                        mf = best(runs)
                        if mf[2].returncode == 0:
                            mf_bytes = definition_bytes(mf[2].stdout)
                        else:
                            notes.append(f"{steps} steps: Metaflow failed: {mf[2].stderr.strip()[-300:]}")
                            mf = None
                    except subprocess.TimeoutExpired:
                        notes.append(f"{steps} steps: Metaflow abandoned after {args.metaflow_timeout:.0f} s")
                if keep:
                    shutil.copy(flow, keep / flow.name)
                    if fg[2].returncode == 0:
                        (keep / f"bench{steps}.flowgate.json").write_text(fg[2].stdout)
                    if mf:
                        (keep / f"bench{steps}.metaflow.json").write_text(mf[2].stdout)
                rows.append((steps, fg, fg_bytes, mf, mf_bytes))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def ms(x):
        return f"{x * 1000:,.0f}"

    def mib(kib):
        return f"{kib / 1024:,.0f} MiB" if kib else "n/a"

    print(f"JVM start + parse of a 2-step flow (`graph`): {ms(jvm[0])} ms, peak RSS {mib(jvm[1])}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; best of {args.repeat}; "
          "Flowgate figures include that JVM start; Metaflow's include Python start and "
          "the Batch job-definition look-ups and registrations in moto\n")
    header = ("| steps | Flowgate ms | Metaflow ms | Metaflow / Flowgate | definition bytes (Flowgate) "
              "| % of 1 MB | definition bytes (Metaflow) | peak RSS Flowgate | peak RSS Metaflow |")
    print(header)
    print("|" + "---:|" * (header.count("|") - 1))
    for steps, fg, fg_bytes, mf, mf_bytes in rows:
        fg_ok = fg[2].returncode == 0
        cells = [str(steps), ms(fg[0]) if fg_ok else "refused", ms(mf[0]) if mf else "n/a",
                 f"{mf[0] / fg[0]:.1f}x" if mf and fg_ok else "n/a",
                 f"{fg_bytes:,}" if fg_bytes is not None else "n/a",
                 f"{100 * fg_bytes / SFN_LIMIT:.1f}%" if fg_bytes is not None else "n/a",
                 f"{mf_bytes:,}" if mf_bytes is not None else "n/a", mib(fg[1]), mib(mf[1] if mf else None)]
        print("| " + " | ".join(cells) + " |")
    for note in notes:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Runs the shell blocks of a Markdown section as written, in order, in one bash: the docs cannot drift from the product.

A fenced block whose info string is `bash` runs in the foreground; `bash background` (a command that stays in the
foreground of its own terminal, like `scripts/platform`) is started in the background with its output in a log. The
shell stops at the first failing command (`set -euo pipefail`) and echoes each command (`set -x`).
"""
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


def section(markdown, heading):
    """The text under `heading` (a line like '## Try it on your laptop') up to the next heading of its level or above."""
    lines = markdown.splitlines(keepends=True)
    level = len(heading) - len(heading.lstrip("#"))
    start = next(i for i, line in enumerate(lines) if line.strip() == heading) + 1
    end = next((i for i in range(start, len(lines))
                if re.match(r"^#{1,%d} " % level, lines[i])), len(lines))
    return "".join(lines[start:end])


def shell_blocks(text):
    """[(background?, code)] of the fenced bash blocks, in order."""
    blocks = []
    for info, code in FENCE.findall(text):
        words = info.split()
        if words and words[0] in ("bash", "sh", "shell"):
            blocks.append(("background" in words[1:], code))
    return blocks


def script(blocks, log):
    parts = ["set -euo pipefail", "set -x"]
    for background, code in blocks:
        parts.append(f"( {code.strip()} ) > {log} 2>&1 &" if background else code)
    return "\n".join(parts) + "\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_environment(home, port):
    """A new user's shell: an empty home, no AWS/Metaflow/Flowgate settings, git identity set, Metaflow on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "METAFLOW_", "FLOWGATE_"))}
    home.mkdir(parents=True, exist_ok=True)
    env.setdefault("USER", "reader")  # a login shell has it; Metaflow names runs by it
    env.update(HOME=str(home), FLOWGATE_PORT=str(port), PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
               GIT_AUTHOR_NAME="Doc Reader", GIT_AUTHOR_EMAIL="reader@example.com",
               GIT_COMMITTER_NAME="Doc Reader", GIT_COMMITTER_EMAIL="reader@example.com",
               # Java takes its home from the password database, not $HOME: keep the platform's files in this home too
               JAVA_TOOL_OPTIONS=f"-Duser.home={home}",
               MAVEN_OPTS=(env.get("MAVEN_OPTS", "") + f" -Dmaven.repo.local={Path.home() / '.m2' / 'repository'}").strip())
    return env


def run(text, cwd, env, log, timeout=900):
    """Runs the script of `text`'s blocks; stops everything it started, whatever happens. Returns (code, output)."""
    process = subprocess.Popen(["bash", "-c", text], cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        output += f"\n[timed out after {timeout} s]"
    finally:
        stop_group(process.pid)
    platform = Path(log).read_text(errors="replace") if Path(log).exists() else ""
    return process.returncode, output, platform


def stop_group(pgid):
    """The background blocks (the platform) run in the script's process group: TERM, then KILL what is left."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        import time
        time.sleep(0.2)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass

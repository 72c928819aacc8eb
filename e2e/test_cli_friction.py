"""The friction points of the first local day, each pinned: one-line errors with the fix instead of stack traces, and
commands that take the same arguments as their siblings."""
import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FLOWGATE_", "METAFLOW_"))}
    env.update(extra)
    return env


def run(args, env, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_flowgate_env_without_a_platform_says_how_to_start_one():
    done = run([str(ROOT / "scripts/flowgate"), "env", "--wait", "0"], clean_env(FLOWGATE_PORT=str(free_port())))
    assert done.returncode == 1 and done.stdout == ""
    assert "error: no Flowgate platform answers at http://127.0.0.1:" in done.stderr
    assert "start it with scripts/platform" in done.stderr


def test_flowgate_push_outside_the_local_setup_is_one_line_with_the_fix(tmp_path):
    done = run([str(ROOT / "scripts/flowgate"), "push"], clean_env(), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith('error: FLOWGATE_LOCAL_URL is not set: run eval "$(scripts/flowgate env)"')
    assert "Exception" not in done.stderr and "\tat " not in done.stderr


def test_flowgate_push_against_a_platform_that_is_not_running_is_one_line(tmp_path):
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    (tmp_path / "f.txt").write_text("x\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x"], cwd=tmp_path,
                   check=True)
    port = free_port()
    env = clean_env(FLOWGATE_LOCAL_URL=f"http://127.0.0.1:{port}", FLOWGATE_GITHUB_WEBHOOK_SECRET="s",
                    FLOWGATE_LOCAL_GIT_ROOT=str(tmp_path / "git"))
    done = run([str(ROOT / "scripts/flowgate"), "push", "--repository", "acme/x"], env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"error: no Flowgate platform answers at http://127.0.0.1:{port}: start it with scripts/platform" in done.stderr
    assert "\tat " not in done.stderr


def test_deploy_takes_what_synth_takes():
    for script in ("deploy", "synth"):
        usage = run([str(ROOT / "scripts" / script), "--help"], clean_env()).stdout
        assert "TEAM_SETTINGS.json" in usage and "TEAM" in usage, usage
    for given in ("example", "infra-cdk/teams/example.json", "teams/example.json"):
        resolved = run(["bash", "-c", f'source scripts/lib/common.sh; team_settings "{given}"'], clean_env())
        assert resolved.stdout.strip() == str(ROOT / "infra-cdk/teams/example.json"), resolved.stderr
    refused = run([str(ROOT / "scripts/deploy"), "no-such-team"], clean_env())
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("error: no team settings 'no-such-team': give infra-cdk/teams/TEAM.json (or the team"
                                      " name TEAM); copy infra-cdk/teams/example.json to start")


def test_scripts_flowgate_rebuilds_its_jar_when_deployer_or_compiler_sources_change(tmp_path):
    """A copy of the scripts over a tree whose jar is older than one source; a stand-in mvn records that it was run."""
    root = tmp_path / "checkout"
    (root / "scripts/lib").mkdir(parents=True)
    for name in ("scripts/flowgate", "scripts/lib/common.sh"):
        (root / name).write_bytes((ROOT / name).read_bytes())
    (root / "scripts/flowgate").chmod(0o755)
    jar = root / "functions/cli/target/flowgate-cli.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mvn").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'mvn.log'}\nexit 1\n")
    (bin_dir / "mvn").chmod(0o755)
    env = clean_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for source in ("functions/deployer/src/main/java/D.java", "functions/flow-compiler/src/main/java/C.java"):
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("class X {}\n")
        os.utime(jar, (path.stat().st_mtime - 10, path.stat().st_mtime - 10))
        done = run([str(root / "scripts/flowgate"), "deployments", "F"], env)
        assert done.returncode == 1 and "the build failed" in done.stderr, done.stderr
        assert "-pl functions/cli -am package" in (tmp_path / "mvn.log").read_text()
        (tmp_path / "mvn.log").unlink()
        os.utime(path, (jar.stat().st_mtime - 10, jar.stat().st_mtime - 10))

"""The whole journey (scripts/demo) passes end to end on a fresh platform: render, run with the real Metaflow
client, tag prod_ready, signed push webhook, verified deployment to Step Functions on the emulator, failed
execution, Slack alert; then a push of code no tagged run executed is refused, naming the file."""
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_walks_every_stage_and_succeeds():
    env = dict(os.environ, FLOWGATE_PORT=str(free_port()))
    env.pop("FLOWGATE_URL", None)
    result = subprocess.run([str(ROOT / "scripts" / "demo")], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    summary = output[output.rindex("Summary:"):]
    assert summary.count("  ok ") == 8, summary
    assert "failed" not in summary.replace("0 failed", ""), summary
    assert "commit status flowgate/ChurnTrainingFlow: success" in output
    assert "state machine churn_model.prod.ChurnTrainingFlow" in output
    assert "Slack:" in output
    assert "commit status flowgate/ChurnTrainingFlow: failure" in output and "churn_training_flow.py" in output

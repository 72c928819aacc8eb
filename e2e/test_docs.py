"""The docs, executed: the shell blocks of docs/data-scientists.md's laptop section and of the project template's README
run as written, in order, on a fresh platform and a freshly rendered project. A doc that drifts from the product fails
here. Also the template's CI deploy script against the local platform (a refusal exits 1 with Flowgate's message), and a
push of an older commit after a newer one (skipped, as on GitHub)."""
import json
import re
import subprocess
import urllib.request

import doc_runner
from doc_runner import ROOT

CLI_JAR = ROOT / "functions/cli/target/flowgate-cli.jar"


def test_the_laptop_section_of_the_data_scientists_guide_works_as_written(tmp_path):
    markdown = (ROOT / "docs" / "data-scientists.md").read_text()
    blocks = doc_runner.shell_blocks(doc_runner.section(markdown, "## Try it on your laptop"))
    assert blocks[0][0], "the section starts the platform in a block of its own (bash background)"
    port = doc_runner.free_port()
    env = doc_runner.fresh_environment(tmp_path / "home", port)
    log = tmp_path / "platform.log"
    text = doc_runner.script(blocks, log) + (
        # what the reader would look at: the statuses of HEAD and where they link
        'curl -sf "$FLOWGATE_LOCAL_URL/local/github/repos/acme/churn_model/commits/$(git rev-parse HEAD)/statuses"'
        ' > ~/statuses.json\n')

    code, output, platform = doc_runner.run(text, ROOT, env, log)

    assert code == 0, output[-8000:] + "\n--- platform log ---\n" + platform[-3000:]
    # each push ends with its one line
    finals = re.findall(r"^deployed churn_model\.prod\.ChurnTrainingFlow from run ChurnTrainingFlow/(\d+).*\(deployment d-",
                        output, re.M)
    assert finals == ["1", "2"], output[-6000:]
    assert "rolled back ChurnTrainingFlow" in output, output[-4000:]
    assert "Slack" in output and "SampleFailureFlow" in output, output[-4000:]
    assert "Traceback" not in output and "\tat " not in output, output[-6000:]
    statuses = json.loads((tmp_path / "home" / "statuses.json").read_text())
    link = statuses[0]["target_url"]
    assert link.startswith(f"http://127.0.0.1:{port}/local/deployments/ChurnTrainingFlow/d-"), statuses[0]


def test_the_template_readme_works_as_written_and_ci_deploys_with_its_script(tmp_path):
    home = tmp_path / "home"
    env = doc_runner.fresh_environment(home, doc_runner.free_port())
    rendered = subprocess.run(["java", "-jar", str(CLI_JAR), "new-project", "--no-input", "-o", str(home / "projects")],
                              env=dict(env, FLOWGATE_HOME=str(ROOT)), capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    project = home / "projects" / "churn_model"
    readme = (project / "README.md").read_text()
    blocks = doc_runner.shell_blocks(doc_runner.section(readme, "## Try it on your laptop"))
    assert blocks and not any(background for background, _ in blocks)
    log = tmp_path / "platform.log"
    # what the README asks for before its blocks: the platform with this repository, and the shell pointed at it
    prelude = [(True, f"cd {ROOT} && FLOWGATE_REPOSITORIES=ml-platform/churn_model scripts/platform"),
               (False, f'cd {project}\neval "$({ROOT}/scripts/flowgate env)"')]
    after = (
        # CI refuses a commit no tagged run executed, with Flowgate's outcome and message, and exits 1
        "echo '# untested edit' >> flows/churn_training_flow.py\n"
        "git commit -q -am 'Untested edit'\n"
        # on GitHub the commit is there before CI runs: put it in the local GitHub without a webhook
        'git push -q --force "$FLOWGATE_LOCAL_GIT_ROOT/ml-platform/churn_model.git" HEAD:refs/heads/main\n'
        "if scripts/flowgate-deploy.sh > ~/ci.txt; then exit 41; fi\n"
        "cat ~/ci.txt\n"
        # a newer commit deployed, then the push of an older one arrives: skipped, production stays
        "git revert --no-edit HEAD > /dev/null\n"
        "python -c 'from metaflow import Flow; Flow(\"ChurnTrainingFlow\").latest_successful_run.add_tag(\"prod_ready\")'\n"
        "flowgate push > ~/newer.txt\n"
        # the untested edit: older than the revert, never pushed with a webhook before
        "git checkout -q HEAD~1\n"
        "flowgate push --branch main > ~/older.txt\n")
    text = doc_runner.script(prelude + blocks, log) + after

    code, output, platform = doc_runner.run(text, home, env, log)

    assert code == 0, output[-8000:] + "\n--- platform log ---\n" + platform[-3000:]
    assert "deployed churn_model.prod.ChurnTrainingFlow from run ChurnTrainingFlow/1" in output, output[-6000:]
    assert "was already deployed" in output, output[-4000:]
    ci = (home / "ci.txt").read_text()
    assert "Flowgate: mismatch: " in ci and "churn_training_flow.py" in ci, ci
    newer = (home / "newer.txt").read_text().strip().splitlines()[-1]
    assert newer.startswith("deployed churn_model.prod.ChurnTrainingFlow"), newer
    older = (home / "older.txt").read_text().strip().splitlines()[-1]
    assert "skipped: " in older and "is older than" in older, older

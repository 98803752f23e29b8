"""Starting a new lesson, as the README says: on a copy of this repository, Day 2 is removed and a
small "Day 3" (softmax) is written in its place, touching only the lesson's files. Then, in the
copy: its set-up step (`python -m autograder.prepare`, what `make data` runs), generate, check,
grade, release (with a hidden-only exercise), Gradescope's setup.sh and run_autograder, and nbgrader.

Day 3 has two exercises in one module: `softmax` (public and hidden checks; one hidden check
reads the data set its set-up step builds, another runs a grader helper in the sandbox with
student.run) and `cross_entropy` (hidden checks only, graded with the reference softmax).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from support import copy_of_repository, run_cli

from autograder import gradescope

SOLUTION = '''"""Day 3: softmax and cross-entropy (N samples, K classes)."""

import numpy as np


def softmax(z):
    """Scores to probabilities, row by row.

    Args:
        z: array of shape (N, K), any real scores. Not modified.
    Returns:
        Array of shape (N, K): exp(z) divided by its row's sum; each row sums to 1.
    """
    # TODO: subtract each row's largest score before exp (so that exp cannot overflow), then normalise.
    ### BEGIN SOLUTION
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
    ### END SOLUTION


def cross_entropy(z, labels):
    """Mean negative log-probability of the right classes.

    Args:
        z: array of shape (N, K) of scores.
        labels: integer array of shape (N,), each in 0..K-1.
    Returns:
        A float: the mean over samples of -log softmax(z)[n, labels[n]].
    """
    # TODO: call softmax, pick each row's probability of its label, average -log of them.
    ### BEGIN SOLUTION
    probabilities = softmax(z)
    return float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels])))
    ### END SOLUTION
'''
LESSON = """### Day 3: Softmax and cross-entropy

A classifier's scores become probabilities, and a loss says how far they are from the labels.

### 1. Softmax

Exponentiate each score and divide by the row's sum.

### 2. Cross-entropy

The mean of `-log p` of the right class.
"""
ORACLE = '''"""Day 3's expected values (shared by its public and hidden graders)."""

import numpy as np


def softmax(z):
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
'''
SETUP = '''"""Day 3's set-up step: data/scores.npy, the scores a hidden softmax check uses."""

from pathlib import Path

import numpy as np

path = Path(__file__).resolve().parents[2] / "data" / "scores.npy"
path.parent.mkdir(exist_ok=True)
np.save(path, np.random.default_rng(3).normal(scale=30.0, size=(8, 5)))
print(f"wrote {path}")
'''
PUBLIC = '''"""Public checks for softmax(z)."""

from autograder.checks import assert_close
from autograder.graders.oracle import softmax


def test_softmax_values(student, cfg, rng):
    """softmax turns each row of scores into probabilities"""
    z = rng.normal(size=(4, 3))
    assert_close(student.call("softmax", z), softmax(z), what="softmax(z)", rtol=cfg.rtol, atol=1e-12,
                 hint="exp(z) divided by its row's sum")
'''
HIDDEN = '''"""Hidden checks for softmax(z)."""

from pathlib import Path

import numpy as np

from autograder.checks import assert_close, check
from autograder.graders.oracle import softmax

DATA = Path(__file__).resolve().parents[3] / "data" / "scores.npy"  # built by the set-up step


def test_softmax_of_the_data_set(student, cfg):
    """softmax is right on the course's scores, some of them large"""
    z = np.load(DATA)
    assert_close(student.call("softmax", z), softmax(z), what="softmax(z)", rtol=cfg.rtol, atol=1e-12,
                 hint="subtract each row's largest score before exp")


def _row_sums(z):
    # Runs in the sandbox: its globals are `student` (the submission's module) and this function.
    import numpy as np

    return {"names": sorted(name for name in globals() if name != "__builtins__"),
            "sums": np.asarray(student.softmax(z), dtype=float).sum(axis=-1)}


def test_softmax_rows_sum_to_one(student, cfg, rng):
    """each row of softmax(z) sums to 1, and holds the right values"""
    z = rng.normal(size=(5, 4))
    reply = student.run(_row_sums, z)
    check(reply["names"] == ["_row_sums", "student"], "a grader helper sees student and itself only",
          str(reply["names"]))
    assert_close(reply["sums"], np.ones(5), what="row sums of softmax(z)", rtol=cfg.rtol, atol=1e-12,
                 hint="divide by the row's sum")
    assert_close(student.call("softmax", z), softmax(z), what="softmax(z)", rtol=cfg.rtol, atol=1e-12,
                 hint="exp(z) divided by its row's sum")
'''
HIDDEN_ONLY = '''"""Hidden checks for cross_entropy(z, labels): it has no public ones."""

import numpy as np

from autograder.checks import assert_close
from autograder.graders.oracle import softmax


def test_cross_entropy_values(student, cfg, rng):
    """cross_entropy is the mean negative log-probability of the labels"""
    z, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    want = -np.mean(np.log(softmax(z)[np.arange(6), labels]))
    assert_close(student.call("cross_entropy", z, labels), want, what="cross_entropy(z, labels)",
                 rtol=cfg.rtol, atol=1e-12, hint="average -log of each row's probability of its label")
'''
CONFIG = '''[grading]
seed = 3
hidden_visibility = "after_due_date"

[setup]
modules = ["autograder.graders.scores"]

[exercise.softmax]
module = "softmax"
timeout_s = 10
check_timeout_s = 5
memory_mb = 1024
params = { rtol = 1e-7 }
[exercise.softmax.points]
test_softmax_values = 2
test_softmax_of_the_data_set = 2
test_softmax_rows_sum_to_one = 1

[exercise.cross_entropy]
module = "softmax"
standins = ["softmax"]
timeout_s = 10
memory_mb = 1024
params = { rtol = 1e-7 }
[exercise.cross_entropy.points]
test_cross_entropy_values = 3

[notebook]
name = "day3_softmax"
lesson = "lesson/day3_softmax.md"
sections = { "softmax:header" = "### 1. Softmax", "softmax:cross_entropy" = "### 2. Cross-entropy" }
'''
FULL = {"softmax": 5.0, "cross_entropy": 3.0}
# The files of Day 2 that go (the README's "Starting a new lesson" lists them).
DAY2 = ("solutions", "exercises", "lesson", "nbgrader/source", "autograder/graders", "tests/course")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture(scope="module")
def lesson() -> Path:
    """A copy of this repository with Day 2 replaced by Day 3, set up and generated."""
    base = Path(tempfile.mkdtemp(prefix="new-lesson-"))
    base.chmod(0o755)  # the sandboxed child runs as a uid of its own and reads the engine from here
    copy = copy_of_repository(base / "course")
    for name in DAY2:
        shutil.rmtree(copy / name, ignore_errors=True)
    _write(copy, {"solutions/softmax.py": SOLUTION, "lesson/day3_softmax.md": LESSON, "grading.toml": CONFIG,
                  "autograder/graders/__init__.py": '"""Day 3\'s grading."""\n',
                  "autograder/graders/oracle.py": ORACLE, "autograder/graders/scores.py": SETUP,
                  "autograder/graders/public/test_softmax.py": PUBLIC,
                  "autograder/graders/hidden/test_softmax.py": HIDDEN,
                  "autograder/graders/hidden/test_cross_entropy.py": HIDDEN_ONLY})
    done = subprocess.run([sys.executable, "-m", "autograder.prepare"], cwd=copy, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and (copy / "data" / "scores.npy").is_file(), done.stdout + done.stderr
    done = run_cli("generate", cwd=copy)
    assert done.returncode == 0, done.stderr
    yield copy
    shutil.rmtree(base, ignore_errors=True)


def _scores(results: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for test in results["tests"]:
        scores[test["tags"][0]] = scores.get(test["tags"][0], 0.0) + test["score"]
    return scores


def test_what_stays_names_no_lesson(lesson):
    """The files a new lesson keeps as they are (the engine, its templates, the runners, the build and
    project files, the nbgrader configuration) name neither Day 2 nor its data set."""
    kept = [*(lesson / "autograder").glob("*.py"), *(lesson / "autograder" / "templates").rglob("*"),
            *(lesson / "runners").rglob("*"), lesson / "Makefile", lesson / "pyproject.toml", lesson / ".ci" / "run",
            lesson / "nbgrader" / "nbgrader_config.py"]
    named = [f"{path.relative_to(lesson)}:{number}: {line.strip()}" for path in kept if path.is_file()
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if re.search(r"day ?2|mnist|xor\b", line, re.IGNORECASE)]
    assert not named, "\n".join(named)


def test_generate_writes_the_stub_and_the_notebook(lesson):
    stub = (lesson / "exercises" / "softmax.py").read_text()
    assert 'raise NotImplementedError("softmax is not implemented yet")' in stub and "np.exp(z - " not in stub
    notebook = nbformat.read(lesson / "nbgrader" / "source" / "day3_softmax" / "day3_softmax.ipynb", as_version=4)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    assert ids.index("softmax-softmax") < ids.index("test-softmax") < ids.index("test-cross_entropy"), ids
    assert run_cli("generate", "--check", cwd=lesson).returncode == 0


def test_check_runs_the_public_checks_and_names_the_hidden_only_exercise(lesson):
    done = run_cli("check", "exercises", cwd=lesson)
    assert done.returncode == 1 and "softmax is not implemented yet" in done.stdout, done.stdout + done.stderr
    assert run_cli("check", "solutions", cwd=lesson).returncode == 0
    done = run_cli("check", "exercises", "--only", "cross_entropy", cwd=lesson)
    assert done.returncode == 0 and "cross_entropy has no public checks" in done.stdout, done.stdout + done.stderr


def test_grade_gives_the_reference_full_marks_and_the_stub_none(lesson, tmp_path):
    for folder, want in (("solutions", FULL), ("exercises", dict.fromkeys(FULL, 0.0))):
        done = run_cli("grade", folder, "--results", str(tmp_path / f"{folder}.json"), cwd=lesson)
        assert done.returncode == 0, done.stderr
        results = json.loads((tmp_path / f"{folder}.json").read_text())
        assert _scores(results) == want, [(t["name"], t["output"]) for t in results["tests"] if t["score"] == 0]


def test_release_ships_the_lesson_and_its_hidden_only_exercise_works_there(lesson, tmp_path):
    out = tmp_path / "release"
    done = run_cli("release", str(out), "--instructor-repo", "course/x", "--instructor-ref", "v1", cwd=lesson)
    assert done.returncode == 0, done.stderr
    readme = (out / "README.md").read_text()
    assert readme.startswith("# Day 3: Softmax and cross-entropy")
    assert "`softmax`, `cross_entropy` (no public checks: graded when you submit)" in readme
    texts = "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    secrets = ("probabilities[np.arange(len(labels)), labels]", "test_softmax_of_the_data_set", "scores.npy",
               "Day 2", "mnist")
    for secret in secrets:
        assert secret not in texts, secret
    done = run_cli("check", "exercises", "--only", "cross_entropy", cwd=out)
    assert done.returncode == 0 and "cross_entropy has no public checks" in done.stdout, done.stdout + done.stderr
    # The released notebook's cells, run as a kernel would, with the student's answer filled in.
    path = out / "day3_softmax.ipynb"
    released = nbformat.read(path, as_version=4)
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in released.cells}
    cells["softmax-softmax"].source = SOLUTION[SOLUTION.index("def softmax"):SOLUTION.index("def cross_entropy")]
    nbformat.write(released, path)
    kernel = "\n".join([cells["grading-helper"].source, cells["test-softmax"].source.removesuffix("points"),
                        "print('POINTS', points)", cells["test-cross_entropy"].source.removesuffix("points"),
                        "print('POINTS', points)"])
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER")}
    done = subprocess.run([sys.executable, "-c", kernel], cwd=out, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "POINTS 2" in done.stdout and "cross_entropy has no public checks" in done.stdout, done.stdout


def test_gradescope_setup_and_run_autograder_give_the_reference_full_marks(lesson, tmp_path):
    archive = tmp_path / "autograder.zip"
    assert run_cli("gradescope", str(archive), cwd=lesson).returncode == 0
    root = gradescope.lay_out(archive, tmp_path / "root")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_SKIP_APT": "1", "AUTOGRADER_SKIP_PIP": "1",
           "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0 and (root / "source" / "data" / "scores.npy").is_file(), done.stdout + done.stderr
    (root / "submission").mkdir()
    shutil.copy(lesson / "solutions" / "softmax.py", root / "submission" / "softmax.py")
    done = subprocess.run([str(root / "run_autograder")], cwd=root, capture_output=True, text=True, timeout=600,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert _scores(results) == FULL and results["score"] == sum(FULL.values()), results


def test_nbgrader_grades_the_reference_notebook_full_marks(lesson):
    course = lesson / "nbgrader"
    env = {**os.environ, "AUTOGRADER_REPO": str(lesson)}

    def nbgrader(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr

    nbgrader("generate_assignment", "day3_softmax", "--force")
    source = nbformat.read(course / "source" / "day3_softmax" / "day3_softmax.ipynb", as_version=4)
    submitted = course / "submitted" / "reference" / "day3_softmax"
    submitted.mkdir(parents=True)
    nbformat.write(source, submitted / "day3_softmax.ipynb")  # the answers are the source's solution cells
    nbgrader("autograde", "day3_softmax", "--student", "reference")
    nbgrader("export")
    with open(course / "grades.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["student_id"], float(row["score"]), float(row["max_score"])) for row in rows] == [
        ("reference", 8.0, 8.0)]


def test_the_engines_own_tests_pass_on_the_new_lesson(lesson):
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-n", "2", "--dist", "loadfile",
                           "-p", "no:cacheprovider", "tests", "--ignore", "tests/course",
                           "--ignore", "tests/test_new_lesson.py",
                           # its course is a fixture of its own (calc.py), never the lesson's; and one machine
                           # runs one single-node Slurm at a time (the outer suite's test_slurm may be running)
                           "--ignore", "tests/test_slurm.py"],
                          cwd=lesson, capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]

"""Adding an exercise touches only the course's files: the README's walk-through, done on a copy.

On a repository whose lesson is the toy course (support.toy_repository, with this repository's
tests/), an exercise `relu` is added the way the README says: a function with a solution block in
solutions/toy.py, a public and a hidden grader, and an [exercise.relu] table in grading.toml.
Nothing else is edited. Then, in the copy: `generate` writes its stub, `check` shows it not
implemented, `grade` gives the reference full marks, `release` ships its stub and public grader
(not its solution or hidden grader) and lists it in the student README, and the copy's own
course-parametrized tests (test_course.py) pass for it. (The notebook's cells for a new exercise
are this lesson's: tests/course/test_nbgrader.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support import REPO, run_cli, toy_repository

RELU = '''

def relu(x):
    """The rectified linear unit, elementwise.

    Args:
        x: array of any shape, float64 or float32. Not modified.
    Returns:
        Array shaped like x: x where x > 0, else 0.
    """
    # TODO: keep the positive entries of x and set the others to 0.
    ### BEGIN SOLUTION
    return np.maximum(np.asarray(x, dtype=float), 0.0)
    ### END SOLUTION
'''
PUBLIC = '''"""Public checks for relu(x)."""

import numpy as np

from autograder.checks import assert_close


def test_relu_known_values(student, cfg, rng):
    """relu(x) keeps positive entries and zeroes the rest"""
    x = np.concatenate([[-2.0, -0.5, 0.0, 0.5, 2.0], rng.normal(size=7)])
    assert_close(student.call("relu", x), np.maximum(x, 0), what="relu(x)", rtol=cfg.rtol, atol=0,
                 hint="keep x where x > 0, else 0")
'''
HIDDEN = '''"""Hidden checks for relu(x)."""

import numpy as np

from autograder.checks import as_array, check, check_values


def test_relu_keeps_shape_of_a_matrix(student, cfg, rng):
    """relu returns the right values in an array shaped like a 2-d input"""
    x = rng.normal(size=(3, 4))
    got = as_array(student.call("relu", x), "relu(x)")
    check(got.shape == x.shape, "relu must return an array shaped like x", f"got shape {got.shape}")
    check_values(got, np.maximum(x, 0), what="relu(x)", rtol=cfg.rtol, atol=0, hint="keep x where x > 0, else 0")
'''
SECTION = '''
[exercise.relu]
module = "toy"
timeout_s = 10
check_timeout_s = 5
params = { rtol = 1e-7 }
[exercise.relu.points]
test_relu_known_values = 2
test_relu_keeps_shape_of_a_matrix = 1
'''


@pytest.fixture(scope="module")
def course() -> Path:
    """A toy repository with relu added: the instructor's three edits."""
    base = Path(tempfile.mkdtemp(prefix="add-exercise-"))
    base.chmod(0o755)  # the sandboxed child runs as a uid of its own and reads the engine from here
    copy = toy_repository(base / "course")
    shutil.copytree(REPO / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__", "course"))
    toy = (copy / "solutions" / "toy.py").read_text()
    anchor = "    return float(np.mean(x))\n    ### END SOLUTION\n"
    assert toy.count(anchor) == 1
    (copy / "solutions" / "toy.py").write_text(toy.replace(anchor, anchor + RELU))
    (copy / "autograder" / "graders" / "public" / "test_relu.py").write_text(PUBLIC)
    (copy / "autograder" / "graders" / "hidden" / "test_relu.py").write_text(HIDDEN)
    with open(copy / "grading.toml", "a") as toml:
        toml.write(SECTION)
    yield copy
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def generated(course) -> Path:
    done = run_cli("generate", cwd=course)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["wrote", "exercises/toy.py"], done.stdout  # words.py was unchanged
    return course


def test_generate_writes_the_new_stub(generated):
    stub = (generated / "exercises" / "toy.py").read_text()
    assert 'raise NotImplementedError("relu is not implemented yet")' in stub and "np.maximum(np.asarray(x" not in stub
    assert run_cli("generate", "--check", cwd=generated).returncode == 0


def test_check_shows_the_new_exercise_not_implemented(generated):
    done = run_cli("check", "exercises", "--only", "relu", cwd=generated)
    assert done.returncode == 1 and "relu is not implemented yet" in done.stdout, done.stdout + done.stderr


def test_the_reference_earns_its_points(generated, tmp_path):
    done = run_cli("grade", "solutions", "--only", "relu", "--results", str(tmp_path / "r.json"), cwd=generated)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["score"] == 3 and {t["name"] for t in results["tests"]} >= {
        "relu: relu(x) keeps positive entries and zeroes the rest",
        "relu: relu returns the right values in an array shaped like a 2-d input"}


def test_release_ships_the_stub_and_public_grader_only(generated, tmp_path):
    out = tmp_path / "release"
    done = run_cli("release", str(out), "--instructor-repo", "course/x", "--instructor-ref", "v1", cwd=generated)
    assert done.returncode == 0, done.stderr
    assert (out / "autograder" / "graders" / "public" / "test_relu.py").is_file()
    assert not (out / "autograder" / "graders" / "hidden").exists()
    texts = "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "np.maximum(np.asarray(x, dtype=float), 0.0)" not in texts and "test_relu_keeps_shape_of_a_matrix" not in texts
    assert "`relu`" in (out / "README.md").read_text()
    assert "[exercise.relu]" in (out / "grading.toml").read_text()


def test_the_copys_own_course_tests_pass_for_it(generated):
    env = {**os.environ, "TEST_EXERCISES": "relu"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests/test_course.py"],
                          cwd=generated, capture_output=True, text=True, env=env, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for test in ("test_reference_earns_full_marks[relu]", "test_stub_earns_nothing_and_says_not_implemented[relu]",
                 "test_code_that_does_no_work_earns_nothing[relu-does-nothing]"):
        assert f"{test} PASSED" in done.stdout, test

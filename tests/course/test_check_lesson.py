"""`make check` on this lesson: a known mistake in an exercise makes every exercise that uses it
wait on it, and the sign bug in sigmoid is named with its hint. The engine's own `make check`
tests are tests/test_check.py, on the toy course."""

from __future__ import annotations

import re

import pytest
from mistakes import MISTAKES
from support import REPO, make_submission, run_cli
from test_check import check_results as toy_check_results

from autograder.config import load
from autograder.plugin import prerequisites

CONFIG = load(REPO / "grading.toml")
EDGES = [(exercise, needed) for exercise in CONFIG.exercises for needed in prerequisites(CONFIG, exercise)]


def check_results(submission, only):
    return toy_check_results(submission, only, REPO / "grading.toml")


def first_mistake(exercise: str):
    return next(mistake for mistake in MISTAKES if mistake.exercise == exercise)


def test_the_lessons_prerequisites_come_from_its_standins():
    assert prerequisites(CONFIG, "sigmoid") == []
    assert prerequisites(CONFIG, "forward") == ["sigmoid"]
    assert prerequisites(CONFIG, "backward") == ["sigmoid", "sigmoid_derivative", "forward"]  # MLP.__init__: no exercise
    assert prerequisites(CONFIG, "train_xor") == ["sigmoid", "sigmoid_derivative", "forward", "backward"]


@pytest.mark.parametrize(("exercise", "needed"), EDGES, ids=[f"{e}-needs-{n}" for e, n in EDGES])
def test_a_broken_prerequisite_makes_its_dependent_wait_not_fail(tmp_path, exercise, needed):
    mistake = first_mistake(needed)
    results = check_results(make_submission(tmp_path, mlp=mistake.source()), [needed, exercise])
    assert any(t["status"] != "passed" for t in results[needed]), f"{mistake.name} should fail {needed}'s checks"
    for test in results[exercise]:
        # the dependent's own code is the reference: it may pass, or wait, but is never told to change
        assert test["status"] in ("passed", "waiting"), (test["name"], test["status"], test["message"])
        if test["status"] == "waiting":
            assert test["message"] == f"waiting on {needed}: fix it first" and not test["output"]


def test_sign_bug_in_sigmoid_fails_sigmoid_only_and_says_what_forward_waits_on(tmp_path):
    submission = make_submission(tmp_path, mlp=first_mistake("sigmoid").source())
    done = run_cli("check", str(submission), "--only", "sigmoid,forward,train_xor")
    assert done.returncode == 1, done.stderr
    assert re.search(r"forward +\d+ / 9 +waiting on sigmoid\n", done.stdout), done.stdout
    assert re.search(r"train_xor +\d+ / 8 +waiting on sigmoid", done.stdout), done.stdout
    assert "check the sign inside exp" in done.stdout
    # the forward formula and the XOR training hints are not shown: nothing to change there
    assert "sigmoid(sigmoid(inputs" not in done.stdout and "more epochs" not in done.stdout

"""train_xor is judged from outside the student's code: games and honest bugs lose its points,
correct code that relies on its own class keeps every point.

Each file tests/course/train_xor/<name>.py is appended to the reference (as tests/hostile/ does) and
graded in one grade-all run; its docstring says what it must lose. The checks that judge
train_xor's network are the ones a game targets; MLP.train's own checks are judged elsewhere.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO, exercise_scores, grade_folders  # noqa: E402

from autograder.config import load  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "train_xor"
NAMES = sorted(path.stem for path in CORPUS.glob("*.py"))
JUDGING = ("test_train_xor_solves_xor", "test_train_xor_converges_for_most_seeds")
NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
COURSE = load(REPO / "grading.toml")


def titles(exercise: str) -> dict[str, str]:
    """{test function: the name results.json gives its check} for one exercise's graders."""
    found = {}
    for path in sorted((REPO / "autograder" / "graders").glob(f"*/test_{exercise}.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found[node.name] = f"{exercise}: {(ast.get_docstring(node) or node.name).strip().splitlines()[0]}"
    return found


JUDGING_TITLES = [titles("train_xor")[name] for name in JUDGING]
# Files whose bug is in a piece of another exercise: charged once, there (its checks fail, so the
# reference's piece stands in when train_xor is graded): {file: (exercise, what its failed check says)}.
CHARGED_ELSEWHERE = {"seed_zero": ("forward", "differs between two MLPs made with the same seed")}
# Pieces of a message the student must (or must not) read, per file, in both judging checks.
SAYS = {"slow_100009": ("too slow",), "lesson_settings": ("lesson's settings",),
        "close_not_within": ("right side of 0.5",), "slow_hides_clock": ("too slow",),
        "slow_hides_in_fork": ("too slow",),
        "early_stop": ("no early stopping",),
        "rewrites_snapshot": ("not the one train() produced",),
        "patches_np_array": ("not the one train() produced",)}
PUBLIC_SAYS = {"slow_100009": r"too slow: [0-9.]+ s per seed"}  # numbers only where details are shown
NEVER_SAYS = {"slow_100009": ("endless loop",), "close_not_within": ("lesson's settings",)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("xor_games")
    reference = (REPO / "solutions" / "mlp.py").read_text()
    for name in NAMES:
        (root / "subs" / name).mkdir(parents=True)
        (root / "subs" / name / "mlp.py").write_text(reference + "\n\n" + (CORPUS / f"{name}.py").read_text())
    return grade_folders(root / "subs", root / "out", "--only", ",".join(NUMPY))


def test_the_corpus_has_every_game_and_bug():
    assert len(NAMES) >= 12 and set(SAYS) | set(NEVER_SAYS) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_loses_the_checks_that_judge_train_xors_network(graded, name):
    tests = {t["name"]: t for t in graded[name]["tests"]}
    if name in CHARGED_ELSEWHERE:
        exercise, says = CHARGED_ELSEWHERE[name]
        scores = exercise_scores(graded[name])
        assert scores["train_xor"] == COURSE.exercises["train_xor"].max_score, f"{name} charged twice: {scores}"
        assert scores[exercise] < COURSE.exercises[exercise].max_score, f"{name} not charged: {scores}"
        assert any(says in t["output"] for t in tests.values() if t["tags"][0] == exercise and t["score"] == 0)
        return
    kept = {check: tests[check]["score"] for check in JUDGING_TITLES if tests[check]["score"] > 0}
    assert not kept, f"{name} kept {kept}"
    for check in JUDGING_TITLES:
        for phrase in SAYS.get(name, ()):
            assert phrase in tests[check]["output"], (name, check, tests[check]["output"])
        if name in PUBLIC_SAYS and check == JUDGING_TITLES[0]:
            assert re.search(PUBLIC_SAYS[name], tests[check]["output"]), tests[check]["output"]
        for phrase in NEVER_SAYS.get(name, ()):
            assert phrase not in tests[check]["output"], (name, check, tests[check]["output"])
    scores = exercise_scores(graded[name])
    lost = {e: scores[e] for e in NUMPY if e != "train_xor" and scores[e] != COURSE.exercises[e].max_score}
    assert not lost, f"{name} also lost {lost}"

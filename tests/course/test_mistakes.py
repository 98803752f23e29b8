"""The graders tell right from wrong: known mistakes lose points (on their own exercise only,
with their hint), correct variants written differently from the reference get full marks.

The whole corpus is graded by one `grade-all --jobs 2` call, the way an instructor grades a class.
"""

import re
import shutil

import pytest
from conftest import REPO, exercise_scores, grade_folders
from mistakes import MISTAKES

NUMPY_EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
VARIANTS = REPO / "tests" / "course" / "variants"
VARIANT_NAMES = sorted(path.name for path in VARIANTS.iterdir() if (path / "mlp.py").is_file())


def _folder(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """{submission folder: results.json} for every mistake and every variant."""
    root = tmp_path_factory.mktemp("corpus")
    for mistake in MISTAKES:
        folder = root / "submissions" / f"mistake-{_folder(mistake.name)}"
        folder.mkdir(parents=True)
        (folder / "mlp.py").write_text(mistake.source())
    for name in VARIANT_NAMES:
        shutil.copytree(VARIANTS / name, root / "submissions" / f"variant-{name}")
    return grade_folders(root / "submissions", root / "out", "--only", ",".join(NUMPY_EXERCISES))


def _full_marks(config) -> dict[str, float]:
    return {name: config.exercises[name].max_score for name in NUMPY_EXERCISES}


def test_corpus_covers_every_numpy_exercise():
    assert len(MISTAKES) >= 15 and len({m.name for m in MISTAKES}) == len(MISTAKES)
    assert {m.exercise for m in MISTAKES} == set(NUMPY_EXERCISES)
    assert len(VARIANT_NAMES) >= 4


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: _folder(m.name))
def test_mistake_loses_points_on_its_own_exercise_with_its_hint(graded, config, mistake):
    results = graded[f"mistake-{_folder(mistake.name)}"]
    scores, full = exercise_scores(results), _full_marks(config)
    assert scores[mistake.exercise] < full[mistake.exercise], f"{mistake.name} keeps full marks"
    collateral = {name: score for name, score in scores.items() if name != mistake.exercise and score != full[name]}
    assert not collateral, f"{mistake.name} also costs points on {collateral}"
    failed = [test["output"] for test in results["tests"]
              if test["tags"][0] == mistake.exercise and test["score"] < test["max_score"]]
    assert any(mistake.hint in output for output in failed), failed


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_correct_variant_gets_full_marks(graded, config, variant):
    results = graded[f"variant-{variant}"]
    lost = [(test["name"], test["output"]) for test in results["tests"] if test["score"] < test["max_score"]]
    assert not lost
    assert exercise_scores(results) == _full_marks(config)


@pytest.mark.parametrize("value", [10**400, [1.0, [2.0, 3.0]], [1.0, "2"], None, "0.5", {"a": 1}],
                         ids=["huge-int", "ragged", "text-in-list", "none", "str", "dict"])
def test_a_value_the_grader_cannot_convert_fails_as_the_students_check(value):
    from autograder.checks import CheckFailed, as_array
    from autograder.plugin import verdict
    from autograder.wire import Opaque

    for strange in (value, Opaque(None, "array of dtype object")):
        with pytest.raises(CheckFailed) as failure:
            as_array(strange, "sigmoid(x)")
        assert failure.value.hint.startswith("sigmoid(x) is not an array of numbers: it is ")
        status, message, fraction = verdict(failure.value, public=False)
        assert (status, fraction) == ("failed", 0.0) and "tell your instructor" not in message

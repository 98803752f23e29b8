"""The NumPy graders on code real people published: correct exercises earn every point, wrong ones lose
points, and each real convention gets the hint that names it.

tests/course/realcode/submissions/ holds mlp.py files adapted from public courses, tutorials, books,
homework repositories and Q&A answers, each with its origin and every change in its header;
tests/course/realcode/LABELS.toml labels each exercise from the contract (solutions/mlp.py's docstrings).
The whole corpus is graded by one `grade-all --jobs 2` call; the correct exercises are graded again
under ten seeds each (`grade --seed`), which must all give one score.
"""

import json
import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import REPO, exercise_scores, grade_folders, mutate

EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward")
REALCODE = REPO / "tests" / "course" / "realcode"
SUBMISSIONS = REALCODE / "submissions"
LABELS = tomllib.loads((REALCODE / "LABELS.toml").read_text())
LABELLED = [(name, exercise) for name, exercises in sorted(LABELS.items()) for exercise in exercises]
VARIANTS = REPO / "tests" / "course" / "variants"
SEEDS = range(1, 11)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """{file: results.json} for the whole corpus, the four NumPy exercises only."""
    return grade_folders(SUBMISSIONS, tmp_path_factory.mktemp("realcode") / "out", "--only", ",".join(EXERCISES))


def _origin(name: str) -> str:
    """The source a file names in its header: a repository (owner/name) or a web site."""
    header = (SUBMISSIONS / name / "mlp.py").read_text().split("\nimport", 1)[0]
    found = re.search(r"^# Origin: (\S+)", header, re.M)
    assert found and "# Adapted to solutions/mlp.py's interface. Changes:" in header, f"{name}: no origin or changes"
    address = found.group(1).rstrip(",")
    return "/".join(address.split("/")[:3]) if address.startswith("github.com/") else address.split("/")[0]


def test_corpus_is_large_labelled_and_traced_to_its_sources():
    folders = sorted(path.name for path in SUBMISSIONS.iterdir() if (path / "mlp.py").is_file())
    assert folders == sorted(LABELS), "every file is labelled and every label names a file"
    assert len(folders) >= 30
    assert len({_origin(name) for name in folders}) >= 20
    for name, exercises in LABELS.items():
        for exercise, (verdict, reason) in exercises.items():
            assert exercise in EXERCISES and verdict in ("correct", "incorrect") and len(reason) > 20, (name, exercise)
    verdicts = [verdict for exercises in LABELS.values() for verdict, _ in exercises.values()]
    assert verdicts.count("correct") >= 8 and verdicts.count("incorrect") >= 30


@pytest.mark.parametrize(("name", "exercise"), LABELLED, ids=[f"{n}-{e}" for n, e in LABELLED])
def test_label_and_grade_agree(graded, config, name, exercise):
    verdict, reason = LABELS[name][exercise]
    score, full = exercise_scores(graded[name])[exercise], config.exercises[exercise].max_score
    lost = [(test["name"], test["output"][:300]) for test in graded[name]["tests"]
            if test["tags"][0] == exercise and test["score"] < test["max_score"]]
    if verdict == "correct":
        assert score == full, f"false rejection: {reason}; lost {lost}"
    else:
        assert score < full, f"false acceptance: {reason}"


def _failed(results: dict, exercise: str) -> list[str]:
    return [test["output"] for test in results["tests"]
            if test["tags"][0] == exercise and test["score"] < test["max_score"]]


@pytest.mark.parametrize("name", ["csa17_keepdims", "dinesh_keepdims", "reasonkc_lab7", "tharun_exp4"])
def test_two_dimensional_biases_are_named(graded, name):
    for exercise in ("forward", "backward"):
        outputs = _failed(graded[name], exercise)
        assert outputs and all("(H,) and bias_output (K,)" in output for output in outputs), outputs
        assert not any("where .T goes" in output for output in outputs)


def test_dropout_is_named_and_saturation_only_when_seen(graded):
    dropout, no_bias = _failed(graded["dropout_ann"], "forward"), _failed(graded["trask_blind3"], "forward")
    assert any(output.startswith("forward gives different outputs for the same inputs") for output in dropout)
    assert any("the biases are missing" in output for output in no_bias)
    assert not any("saturate" in output for output in dropout + no_bias)


@pytest.mark.parametrize("name", ["so_where", "boldena_where"])
def test_np_where_overflow_says_both_branches_are_evaluated(graded, name):
    outputs = _failed(graded[name], "sigmoid")
    assert outputs and all("np.where(condition, a, b) evaluates both a and b" in output for output in outputs)


def test_plain_overflow_is_not_blamed_on_np_where(graded):
    for name in ("trask_blind3", "geoxgb_clip500", "zalkin_math_e"):
        outputs = _failed(graded[name], "sigmoid")
        assert any("overflow" in output for output in outputs)
        assert not any("np.where" in output for output in outputs)


def _grade(folder, exercises: list[str], seed: int, out) -> dict:
    results = out / f"{folder.name}-{seed}.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--results", str(results),
                           "--only", ",".join(exercises), "--seed", str(seed)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return exercise_scores(json.loads(results.read_text()))


# A float32 sigmoid through tanh, accurate to 3e-8 absolute: right at float32's scale wherever it is judged.
TANH_FLOAT32 = ("    x32 = np.asarray(x, dtype=np.float32)\n"
                "    return (0.5 * (1 + np.tanh(x32 / 2))).astype(np.float32)\n")


def test_correct_code_scores_the_same_under_every_seed(tmp_path, config):
    """Every correct variant and every correct real-code exercise, under ten grading seeds: one score, full marks."""
    tanh = tmp_path / "variants" / "tanh_float32"
    tanh.mkdir(parents=True)
    (tanh / "mlp.py").write_text(mutate((REPO / "solutions" / "mlp.py").read_text(),
                                        "    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n",
                                        TANH_FLOAT32))
    jobs = [(folder, list(EXERCISES)) for folder in [*sorted(VARIANTS.iterdir()), tanh] if (folder / "mlp.py").is_file()]
    jobs += [(SUBMISSIONS / name, correct) for name, exercises in sorted(LABELS.items())
             if (correct := [ex for ex, (verdict, _) in exercises.items() if verdict == "correct"])]
    runs = [(folder, exercises, seed) for folder, exercises in jobs for seed in SEEDS]
    with ThreadPoolExecutor(2) as pool:
        scores = list(pool.map(lambda run: _grade(*run, tmp_path), runs))
    below = {(folder.name, seed): {ex: score[ex] for ex in exercises if score[ex] != config.exercises[ex].max_score}
             for (folder, exercises, seed), score in zip(runs, scores)}
    assert not {key: lost for key, lost in below.items() if lost}

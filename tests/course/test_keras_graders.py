"""The keras_mnist graders: full marks for the reference and the same grade twice, zero for the
stub, the Keras mistakes each caught on the checks it breaks (and only those), with its hint,
and correct variants (the functional API, separate Activation layers) at full marks.

Every keras grade imports TensorFlow in a sandboxed child and trains twice (~5-10 s), so the
stub and the mistakes are graded by one `grade-all --jobs 2` call.
"""

import ast
import json
import subprocess
import sys

import pytest
from support import REPO, exercise_scores, grade, grade_folders, make_submission, mutate

from autograder.graders.keras_checks import MSE_HINT, NOT_TRAINED_HINT, PROBABILITIES_HINT, UNSCALED_HINT, WIDTH_HINT

NUMPY_EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")

# folder: (replacements in solutions/mnist_keras.py, a phrase of its hint or {check: phrase}, the checks
# it must fail; every other keras check must pass)
MISTAKES = {
    "unscaled-pixels": ((('.astype("float32") / 255.0', '.astype("float32")'),), UNSCALED_HINT,
                        {"load_mnist_flattens_and_scales", "load_mnist_keeps_both_splits"}),
    "mse-loss": ((('loss="sparse_categorical_crossentropy"', 'loss="mse"'),), MSE_HINT,
                 {"compiled_for_integer_labels", "trains_on_small_subset", "test_accuracy"}),
    "wrong-output-width": ((('keras.layers.Dense(10, activation="softmax")', 'keras.layers.Dense(1, activation="softmax")'),),
                           WIDTH_HINT, {"build_model_architecture", "compiled_for_integer_labels", "trains_on_small_subset",
                                        "test_accuracy"}),
    "no-training": ((("return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)",
                      "return keras.callbacks.History()"),), NOT_TRAINED_HINT,
                    {"trains_on_small_subset", "train_model_fits_given_data", "test_accuracy"}),
    # Scores plus from_logits is a sound pair, but the contract's output is probabilities: the hint says so
    # (it used to say "the output layer already applies softmax").
    "linear-output-from-logits": ((('keras.layers.Dense(10, activation="softmax")', "keras.layers.Dense(10)"),
                                   ('loss="sparse_categorical_crossentropy"',
                                    "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)")),
                                  {"build_model_architecture": "softmax", "compiled_for_integer_labels":
                                   "must output probabilities", "trains_on_small_subset": PROBABILITIES_HINT,
                                   "test_accuracy": PROBABILITIES_HINT},
                                  {"build_model_architecture", "compiled_for_integer_labels", "trains_on_small_subset",
                                   "test_accuracy"}),
    "loud-fit": ((("batch_size=batch_size, verbose=0)", "batch_size=batch_size, verbose=2)"),), "fit quietly",
                 {"train_model_fits_given_data"}),
}
FUNCTIONAL = """    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(hidden_units, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
"""
SEQUENTIAL = """    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(hidden_units, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
"""
# Correct builds written differently: each gets full keras marks (architecture and accuracy judged apart).
VARIANTS = {
    "functional-api": ((SEQUENTIAL, FUNCTIONAL),),
    "activation-layers-and-objects": ((SEQUENTIAL, """    model = keras.Sequential()
    model.add(keras.Input(shape=(784,)))
    model.add(keras.layers.Dense(hidden_units))
    model.add(keras.layers.Activation("relu"))
    model.add(keras.layers.Dropout(0.1))
    model.add(keras.layers.Dense(10))
    model.add(keras.layers.Activation("softmax"))
"""), ('model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])',
       "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), "
       "loss=keras.losses.SparseCategoricalCrossentropy(), metrics=[keras.metrics.SparseCategoricalAccuracy()])")),
}


def _apply(source: str, replacements) -> str:
    for old, new in replacements:
        source = mutate(source, old, new)
    return source

# Grades the reference twice with one seed, in a fresh interpreter (the engine runs pytest).
_TWICE = """
import hashlib, json, sys
from pathlib import Path
from autograder.config import load
from autograder.grade import grade
runs = []
for _ in range(2):
    report = grade(Path("solutions"), config=load(Path("grading.toml")), only=["keras_mnist"], seed=12345)
    keras = report.artifacts["keras"]
    runs.append({"tests": {t.name: [t.status, t.score, t.max_score, t.message] for t in report.tests},
                 "accuracy": keras["test_accuracy"], "pred": hashlib.sha256(keras["test_pred"].tobytes()).hexdigest()})
json.dump(runs, sys.stdout)
"""


def _grader_names() -> dict[str, str]:
    """{title students see: property} for the keras graders, read from their docstrings."""
    names = {}
    for path in (REPO / "autograder" / "graders").glob("*/test_keras_mnist.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                title = ast.get_docstring(node).strip().splitlines()[0]
                names[f"keras_mnist: {title}"] = node.name.removeprefix("test_keras_mnist_")
    return names


@pytest.fixture(scope="module")
def graded(tmp_path_factory, solution_keras) -> dict[str, dict]:
    """{folder: results.json} for the stub and every mistake, graded on keras_mnist only."""
    root = tmp_path_factory.mktemp("keras")
    make_submission(root / "submissions" / "stub", mnist_keras=(REPO / "exercises" / "mnist_keras.py").read_text())
    for folder, (replacements, _, _) in [*MISTAKES.items(), *((f, (r, None, None)) for f, r in VARIANTS.items())]:
        make_submission(root / "submissions" / folder, mnist_keras=_apply(solution_keras, replacements))
    return grade_folders(root / "submissions", root / "out", "--only", "keras_mnist")


def test_reference_gets_full_keras_marks_and_the_same_grade_twice(config):
    done = subprocess.run([sys.executable, "-c", _TWICE], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = json.loads(done.stdout)
    points = config.exercises["keras_mnist"].points
    assert set(first["tests"]) == set(points)
    for name, (status, score, max_score, message) in first["tests"].items():
        assert status == "passed" and score == max_score == points[name], (name, message)
    assert first == second, "the same submission and seed must get the same predictions and grade"
    assert first["accuracy"] >= config.exercises["keras_mnist"].accuracy_tiers[0][0]


def test_stub_scores_zero_and_says_not_implemented(graded, config):
    results = graded["stub"]
    assert results["score"] == 0 and len(results["tests"]) == len(config.exercises["keras_mnist"].points)
    assert all("not implemented yet" in t["output"] for t in results["tests"]), [t["output"] for t in results["tests"]]


@pytest.mark.parametrize("folder", MISTAKES)
def test_keras_mistake_fails_its_checks_with_its_hint(graded, folder):
    _, hint, failing = MISTAKES[folder]
    names = _grader_names()
    tests = {names[t["name"]]: t for t in graded[folder]["tests"]}
    assert set(tests) == set(names.values())
    failed = {name for name, t in tests.items() if t["score"] < t["max_score"]}
    assert failed == failing, {name: t["output"] for name, t in tests.items() if t["status"] != "passed"}
    for name in failing:
        phrase = hint[name] if isinstance(hint, dict) else hint
        assert phrase in tests[name]["output"], (name, tests[name]["output"])


@pytest.mark.parametrize("folder", VARIANTS)
def test_keras_variant_gets_full_marks(graded, config, folder):
    results = graded[folder]
    lost = [(t["name"], t["output"]) for t in results["tests"] if t["score"] < t["max_score"]]
    assert not lost
    assert results["score"] == config.exercises["keras_mnist"].max_score


def test_keras_mistake_leaves_the_numpy_exercises_alone(tmp_path, config, solution_mlp, solution_keras):
    replacements, _, _ = MISTAKES["unscaled-pixels"]
    folder = make_submission(tmp_path / "submission", mlp=solution_mlp, mnist_keras=_apply(solution_keras, replacements))
    scores = exercise_scores(grade(folder, tmp_path / "results.json", "--only", ",".join(NUMPY_EXERCISES)))
    assert scores == {name: config.exercises[name].max_score for name in NUMPY_EXERCISES}

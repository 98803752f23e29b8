"""The Keras grade rests on facts the trusted side established, never on the child's own account.

Three forgeries of tests/course/hostile/keras/ (issue 24, items 2 and 3), graded by one grade-all call; two
carry a 784-128-10 network this test trains in NumPy on MNIST's real labels (0.95 test accuracy):
- forged_handler replaces the child's request handler and answers every probe as a perfect
  submission would, with build_model and train_model unimplemented: it must score 0;
- oversize_reply answers with 200 layers, one a 784 x 60,000 kernel: refused by its sizes, 0;
- pretrained_model is a real Keras model that never trains on what it is given: it keeps the
  points of what it does do (load_mnist, the architecture, the compile settings) and earns none
  of the checks that need training on the grader's data.
Run in bubblewrap and in the no-namespace mode (as root, as on Gradescope).
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from support import NO_NAMESPACES_ENV, REPO, grade_folders, make_submission, requires_bwrap, requires_root_dropping

from autograder.graders import mnist as data
from autograder.graders.keras_checks import TOO_LARGE_HINT

FORGERIES = REPO / "tests" / "course" / "hostile" / "keras"
TRAINING = ("trains_on_small_subset", "train_model_fits_given_data", "test_accuracy")


def _pretrained() -> dict[str, np.ndarray]:
    """784-128-10 (relu, softmax), trained by plain SGD on the 6000 digits of the small subset, real labels."""
    (x, y), _ = data.read_npz(data.SMALL_PATH)
    x = x.reshape(len(x), -1).astype(np.float32) / 255
    rng = np.random.default_rng(0)
    w = {"w1": rng.normal(0, np.sqrt(2 / 784), (784, 128)).astype(np.float32), "b1": np.zeros(128, np.float32),
         "w2": rng.normal(0, np.sqrt(1 / 128), (128, 10)).astype(np.float32), "b2": np.zeros(10, np.float32)}
    onehot = np.eye(10, dtype=np.float32)[y]
    for _ in range(10):
        for i in rng.permutation(len(x) // 50):
            xb, tb = x[i * 50:(i + 1) * 50], onehot[i * 50:(i + 1) * 50]
            h = np.maximum(xb @ w["w1"] + w["b1"], 0)
            z = h @ w["w2"] + w["b2"]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            d2 = (p / p.sum(axis=1, keepdims=True) - tb) / len(xb)
            d1 = (d2 @ w["w2"].T) * (h > 0)
            w["w2"] -= 0.5 * h.T @ d2
            w["b2"] -= 0.5 * d2.sum(axis=0)
            w["w1"] -= 0.5 * xb.T @ d1
            w["b1"] -= 0.5 * d1.sum(axis=0)
    return w


def _embedded(weights: dict[str, np.ndarray]) -> str:
    """Module code that defines _PRETRAINED, the weights as .npy bytes in base64."""
    def npy(array):
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return base64.b64encode(buffer.getvalue()).decode()
    items = ",\n".join(f"    {key!r}: _np_load(_io.BytesIO(_b64.b64decode({npy(value)!r})))"
                       for key, value in weights.items())
    return (f"\n\nimport base64 as _b64\nimport io as _io\nfrom numpy import load as _np_load\n"
            f"_PRETRAINED = {{\n{items}\n}}\n\n")


@pytest.fixture(scope="module")
def forged_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("forged") / "submissions"
    weights = _embedded(_pretrained())
    stub = (REPO / "exercises" / "mnist_keras.py").read_text()
    solution = (REPO / "solutions" / "mnist_keras.py").read_text()
    make_submission(root / "forged_handler", mnist_keras=stub + weights + (FORGERIES / "forged_handler.py").read_text())
    make_submission(root / "oversize_reply", mnist_keras=stub + (FORGERIES / "oversize_reply.py").read_text())
    make_submission(root / "pretrained_model",
                    mnist_keras=solution + weights + (FORGERIES / "pretrained_model.py").read_text())
    return root


MODES = {"bubblewrap": pytest.param({}, marks=requires_bwrap),
         "no namespaces": pytest.param(NO_NAMESPACES_ENV, marks=requires_root_dropping)}


@pytest.mark.parametrize("env", MODES.values(), ids=MODES.keys())
def test_forged_accounts_earn_nothing(forged_folders, tmp_path, config, env, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    graded = grade_folders(forged_folders, tmp_path / "out", "--only", "keras_mnist")
    points = config.exercises["keras_mnist"].points
    forged = {t["name"]: t for t in graded["forged_handler"]["tests"]}
    assert graded["forged_handler"]["score"] == 0, {n: (t["score"], t["output"][:200]) for n, t in forged.items()}
    oversize = graded["oversize_reply"]
    assert oversize["score"] == 0
    # refused by its sizes: the Keras checks' own limits, or the wire's bound on any reply before that
    refused = (TOO_LARGE_HINT, "sent back more than the grader takes (arrays of more than")
    assert any(any(words in t["output"] for words in refused) for t in oversize["tests"]), \
        [t["output"] for t in oversize["tests"]]
    scores = {_check(t["name"]): t["score"] for t in graded["pretrained_model"]["tests"]}
    want = {name: 0 if name in TRAINING else points[f"test_keras_mnist_{name}"] for name in scores}
    assert set(want) == {name.removeprefix("test_keras_mnist_") for name in points}
    assert scores == want


def _check(title: str) -> str:
    """The check's name from the title results.json shows (its docstring's first line)."""
    import ast

    for path in (REPO / "autograder" / "graders").glob("*/test_keras_mnist.py"):
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
                    and f"keras_mnist: {ast.get_docstring(node).splitlines()[0]}" == title):
                return node.name.removeprefix("test_keras_mnist_")
    raise AssertionError(f"no keras check is titled {title!r}")


# -- every clause of the docstrings is tried by a public check (issue 22) ----------------------
# (function, how the clause begins): the public check that tries it. Each docstring of
# solutions/mnist_keras.py is cut into clauses at ";", "." and its section headings.
CLAUSES = {
    ("load_mnist", "((x_train, y_train), (x_test, y_test)), where x_train: float32 array of shape (60000, 784)"):
        "load_mnist_flattens_and_scales",
    ("load_mnist", "y_train: integer array of shape (60000,)"): "load_mnist_flattens_and_scales",
    ("load_mnist", "x_test, y_test: the same for the 10000 test images"): "load_mnist_flattens_and_scales",
    ("build_model", "hidden_units: H"): "build_model_architecture",
    ("build_model", "A compiled Keras model"): "build_model_architecture",
    ("build_model", "More hidden Dense layers and Dropout are allowed"): "build_model_architecture",
    ("build_model", "Compiled with any optimizer"): "compiled_for_integer_labels",
    ("train_model", "model: a compiled model"): "train_model_fits_given_data",
    ("train_model", "x_train: float32 array of shape (N, 784)"): "trains_on_small_subset",
    ("train_model", "y_train: integer array of shape (N,)"): "trains_on_small_subset",
    ("train_model", "epochs:"): "train_model_fits_given_data",
    ("train_model", "batch_size:"): "train_model_fits_given_data",
    ("train_model", "The keras.callbacks.History that fit() returns"): "train_model_fits_given_data",
    ("train_model", "history.history[\"loss\"]"): "train_model_fits_given_data",
    ("train_model", "Prints nothing"): "train_model_fits_given_data",
}
# A mistake per clause that no other test of ours makes: (replacements in the solution, the public
# check that must fail, a phrase of its hint).
CLAUSE_MISTAKES = {
    "from-logits-on-softmax": ((('loss="sparse_categorical_crossentropy"',
                                 "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),),
                               "compiled_for_integer_labels", "from_logits"),
    "no-accuracy-metric": (((', metrics=["accuracy"])', ")"),), "compiled_for_integer_labels", "metrics="),
    "batch-size-ignored": ((("epochs=epochs, batch_size=batch_size, verbose=0", "epochs=epochs, verbose=0"),),
                           "train_model_fits_given_data", "batch_size"),
    "test-split-unscaled": ((("return (flat(x_train), y_train), (flat(x_test), y_test)",
                              "return (flat(x_train), y_train), (x_test.reshape(len(x_test), -1), y_test)"),),
                            "load_mnist_flattens_and_scales", "x_test"),
}
REALCODE = REPO / "tests" / "course" / "keras_realcode"


def _clauses(source: str) -> list[tuple[str, str]]:
    import ast
    import re

    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            body = " ".join(ast.get_docstring(node).split("\n", 1)[1].split())
            found += [(node.name, c.strip(" ,")) for c in re.split(r"[;.](?:\s+|$)|(?:Args|Returns):", body)
                      if c.strip(" ,")]
    return found


def test_every_docstring_clause_has_a_public_check(solution_keras):
    import ast

    public = {node.name.removeprefix("test_keras_mnist_") for node in ast.parse(
        (REPO / "autograder" / "graders" / "public" / "test_keras_mnist.py").read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    unmapped = [clause for clause in _clauses(solution_keras)
                if not any(clause[0] == name and clause[1].startswith(start) for name, start in CLAUSES)]
    assert not unmapped, f"docstring clauses no public check is named for: {unmapped}"
    assert set(CLAUSES.values()) <= public
    stale = [key for key in CLAUSES
             if not any(c[0] == key[0] and c[1].startswith(key[1]) for c in _clauses(solution_keras))]
    assert not stale, f"CLAUSES names clauses the docstrings no longer have: {stale}"


@pytest.fixture(scope="module")
def graded_variants(tmp_path_factory, solution_keras):
    """{folder: results.json}: the real-code variants and the clause mistakes, graded by one grade-all."""
    root = tmp_path_factory.mktemp("variants")
    for path in REALCODE.glob("*.py"):
        make_submission(root / "submissions" / path.stem, mnist_keras=path.read_text())
    for folder, (replacements, _, _) in CLAUSE_MISTAKES.items():
        source = solution_keras
        for old, new in replacements:
            assert source.count(old) == 1, old
            source = source.replace(old, new)
        make_submission(root / "submissions" / folder, mnist_keras=source)
    return grade_folders(root / "submissions", root / "out", "--only", "keras_mnist")


@pytest.mark.parametrize("folder", CLAUSE_MISTAKES)
def test_each_clause_mistake_fails_its_public_check(graded_variants, folder):
    _, check, phrase = CLAUSE_MISTAKES[folder]
    tests = {_check(t["name"]): t for t in graded_variants[folder]["tests"]}
    assert tests[check]["score"] == 0, tests[check]["output"]
    assert phrase in tests[check]["output"], tests[check]["output"]


@pytest.mark.parametrize("variant", sorted(path.stem for path in REALCODE.glob("*.py")))
def test_real_code_earns_full_marks(graded_variants, config, variant):
    results = graded_variants[variant]
    lost = {_check(t["name"]): t["output"][:300] for t in results["tests"] if t["score"] < t["max_score"]}
    assert not lost
    assert results["score"] == config.exercises["keras_mnist"].max_score
    assert "site-packages" not in json.dumps(results), "a path of the grading machine reached the student"

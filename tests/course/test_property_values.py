"""A property check needs correct values, everywhere, and the cases real code trips on are tried.

Each case is solutions/mlp.py with one function rewritten (the right shape, symmetric, silent,
right at the extremes, or right as a float64 array, and wrong somewhere else). All are graded by one
`grade-all --jobs 2` call on the four NumPy exercises.
"""

import importlib
import inspect

import pytest
from support import REPO, exercise_scores, grade_folders, mutate

EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward")
SOLUTION = (REPO / "solutions" / "mlp.py").read_text()
SIGMOID = "    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n"
DERIVATIVE = "    a = np.asarray(a, dtype=float)\n    return a - a * a\n"
FORWARD_START = "        self.hidden_layer_input = inputs @ self.weights_input_hidden + self.bias_hidden\n"
FORWARD_RETURN = "        self.output = sigmoid(self.output_layer_input)\n        return self.output\n"
# Wrong only where the units saturate (a sum beyond 50 becomes 0, so its sigmoid is 0.5, not 0 or 1).
GUARD = "        self.{0} = np.where(np.abs(self.{0}) > 50, 0.0, self.{0})\n"

# Stack games: after zeroing its input, the sigmoid writes the zeros into every array of the same
# shape its callers hold, so a copy kept next to the call sees no change.
OVERWRITES_CALLERS = '''\
    result = np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
    if isinstance(x, np.ndarray) and x.size:
        x[...] = 0
        import sys
        frame = sys._getframe(1)
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if isinstance(value, np.ndarray) and value is not x and value.shape == x.shape:
                    value[...] = x
            frame = frame.f_back
    return result
'''

# (name, exercise, (old, new) replacements, the checks that must lose points: "all" for every one)
CASES = [
    ("clipped line", "sigmoid", [(SIGMOID, "    return np.clip(0.25 * np.asarray(x, dtype=float) + 0.5, 0.0, 1.0)\n")],
     "all"),
    ("step", "sigmoid", [(SIGMOID, "    return np.where(np.asarray(x, dtype=float) >= 0, 1.0, 0.0)\n")], "all"),
    ("3-decimal table", "sigmoid",
     [(SIGMOID, "    return np.round(np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float))), 3)\n")], "all"),
    ("min(a, 1 - a)", "sigmoid_derivative",
     [(DERIVATIVE, "    a = np.asarray(a, dtype=float)\n    return np.minimum(a, 1 - a)\n")], "all"),
    ("math.exp on a Python float", "sigmoid",
     [(SIGMOID, "    if isinstance(x, float):\n        return 1 / (1 + math.exp(-x))\n" + SIGMOID),
      ("import numpy as np\n", "import math\n\nimport numpy as np\n")],
     ["test_sigmoid_no_overflow", "test_sigmoid_extremes"]),
    ("one sample with K = 1 returns a scalar", "forward",
     [(FORWARD_RETURN, "        self.output = sigmoid(self.output_layer_input)\n"
                       "        if np.ndim(inputs) == 1 and self.output.size == 1:\n"
                       "            return float(self.output[0])\n        return self.output\n")],
     ["test_forward_single_sample", "test_forward_single_sample_and_float32"]),
    ("forward rebinds the weights to float32 copies", "forward",
     [(FORWARD_START, "        self.weights_input_hidden = self.weights_input_hidden.astype(np.float32)\n"
                      "        self.weights_hidden_output = self.weights_hidden_output.astype(np.float32)\n"
                      + FORWARD_START)],
     ["test_forward_batch", "test_forward_saturated_and_leaves_its_inputs_alone"]),
    ("sigmoid zeroes its input and rewrites its callers' copies", "sigmoid", [(SIGMOID, OVERWRITES_CALLERS)],
     ["test_sigmoid_keeps_shape", "test_sigmoid_does_not_modify_input"]),
    ("forward rounds its output", "forward",
     [(FORWARD_RETURN, FORWARD_RETURN.replace("return self.output", "return np.round(self.output)"))],
     ["test_forward_batch"]),
    ("forward zeroes weighted sums beyond 50 (an overflow guard)", "forward",
     [(FORWARD_START, FORWARD_START + GUARD.format("hidden_layer_input")),
      (FORWARD_RETURN, GUARD.format("output_layer_input") + FORWARD_RETURN)],
     ["test_forward_saturated_and_leaves_its_inputs_alone"]),
]
HINTS = {"math.exp on a Python float": "raised OverflowError: math.exp and ** on a Python float",
         "forward rebinds the weights to float32 copies": "it became a float32 array",
         "forward rounds its output": "forward returns rounded outputs (0 or 1)",
         # Wrong only where the units saturate: the one case the saturation hint is for.
         "forward zeroes weighted sums beyond 50 (an overflow guard)": "wrong when the hidden units saturate"}


def check_titles(exercise: str) -> dict[str, str]:
    """{grader function name: the test name results.json gives it} for an exercise's public and hidden checks."""
    titles = {}
    for visibility in ("public", "hidden"):
        module = importlib.import_module(f"autograder.graders.{visibility}.test_{exercise}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_"):
                titles[name] = f"{exercise}: " + function.__doc__.strip().splitlines()[0]
    return titles


def _folder(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower())


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("properties")
    for name, _, changes, _ in CASES:
        source = SOLUTION
        for old, new in changes:
            source = mutate(source, old, new)
        (root / "submissions" / _folder(name)).mkdir(parents=True)
        (root / "submissions" / _folder(name) / "mlp.py").write_text(source)
    return grade_folders(root / "submissions", root / "out", "--only", ",".join(EXERCISES))


@pytest.mark.parametrize(("name", "exercise", "changes", "losing"), CASES, ids=[_folder(case[0]) for case in CASES])
def test_wrong_somewhere_loses_the_points_of_that_clause(graded, config, name, exercise, changes, losing):
    results = graded[_folder(name)]
    tests = {test["name"]: test for test in results["tests"] if test["tags"][0] == exercise}
    if losing == "all":
        assert exercise_scores(results)[exercise] == 0, {n: t["score"] for n, t in tests.items() if t["score"]}
    else:
        lost = {check for check, title in check_titles(exercise).items()
                if tests[title]["score"] < tests[title]["max_score"]}
        assert set(losing) <= lost, (losing, sorted(lost))
    others = {ex: score for ex, score in exercise_scores(results).items()
              if ex != exercise and score != config.exercises[ex].max_score}
    assert not others, f"{name} also costs points on {others}"
    if name in HINTS:
        assert any(HINTS[name] in test["output"] for test in tests.values() if test["score"] < test["max_score"])

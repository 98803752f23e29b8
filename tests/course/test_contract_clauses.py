"""Every clause of the four NumPy exercises' docstrings is tried by a public check.

CLAUSES maps each clause (quoted from solutions/mlp.py, so the table follows the contract) to the
public check that tries it and to a rewrite of the solution that breaks that clause alone. All the
rewrites are graded by one `grade-all --jobs 2` call, and each must fail its public check: a clause
that no public check tries would let `make check` say all green while grading takes points for it.
"""

import importlib
import inspect

import pytest
from support import REPO, grade_folders, mutate

SOLUTION = (REPO / "solutions" / "mlp.py").read_text()
EXERCISES = ("sigmoid", "sigmoid_derivative", "forward", "backward")
SIGMOID = "    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n"
DERIVATIVE = "    a = np.asarray(a, dtype=float)\n    return a - a * a\n"
INIT_BIAS = "        self.bias_hidden = np.zeros(hidden_size)\n"
INIT_RNG = "        rng = np.random.default_rng(seed)\n"
F_START = "        self.hidden_layer_input = inputs @ self.weights_input_hidden + self.bias_hidden\n"
F_HIDDEN = "        self.hidden_layer_output = sigmoid(self.hidden_layer_input)\n"
F_RETURN = "        self.output = sigmoid(self.output_layer_input)\n        return self.output\n"
B_ERROR = "        output_error = actual_output - predicted_output\n"
B_W2 = "        self.weights_hidden_output += rate * (self.hidden_layer_output.T @ output_delta)\n"
B_RATE = "        rate = self.learning_rate\n"
B_END = "        self.bias_hidden += rate * hidden_delta.sum(axis=0)\n"


def stable(expression: str) -> str:
    return f"    return np.exp(-np.logaddexp(0.0, -({expression})))\n"


# (exercise, clause quoted from its docstring, the public check that tries it, the rewrite breaking it)
CLAUSES = [
    ("sigmoid", "Logistic function 1 / (1 + exp(-x)), elementwise.", "test_sigmoid_known_values",
     [(SIGMOID, stable("2 * np.asarray(x, dtype=float)"))]),
    ("sigmoid", "x: a float or an int", "test_sigmoid_keeps_shape",
     [(SIGMOID, "    if isinstance(x, int):\n        return 1.0 if x > 0 else 0.0\n" + SIGMOID)]),
    ("sigmoid", "an array of any shape", "test_sigmoid_keeps_shape",
     [(SIGMOID, stable("np.asarray(x, dtype=float).ravel()"))]),
    ("sigmoid", "(float64 or float32). Not modified.", "test_sigmoid_keeps_shape",
     [(SIGMOID, SIGMOID.replace("    return", "    out =") + "    if isinstance(x, np.ndarray):\n"
                                                            "        x *= 0.5\n    return out\n")]),
    ("sigmoid", "every value in [0, 1]", "test_sigmoid_known_values",
     [(SIGMOID, stable("np.asarray(x, dtype=float)").replace("return", "return 2 * "))]),
    ("sigmoid", "Must not warn or\n        return NaN for |x| up to 1e4", "test_sigmoid_no_overflow",
     [(SIGMOID, "    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n")]),
    ("sigmoid", "for float64 and float32 input alike (float32's\n        exp overflows already above 88.7)",
     "test_sigmoid_no_overflow", [(SIGMOID, "    x = np.clip(x, -500, 500)\n    return 1 / (1 + np.exp(-x))\n")]),
    ("sigmoid", "a float or an int", "test_sigmoid_no_overflow",
     [(SIGMOID, "    if isinstance(x, float):\n        return 1 / (1 + math.exp(-x))\n" + SIGMOID),
      ("import numpy as np\n", "import math\n\nimport numpy as np\n")]),
    ("sigmoid_derivative", "Takes the ACTIVATION a = sigmoid(z), not z itself",
     "test_sigmoid_derivative_known_values", [(DERIVATIVE, "    s = sigmoid(a)\n    return s * (1 - s)\n")]),
    ("sigmoid_derivative", "a: sigmoid activations, any shape", "test_sigmoid_derivative_keeps_shape",
     [(DERIVATIVE, DERIVATIVE.replace("a - a * a", "(a - a * a).ravel()"))]),
    ("sigmoid_derivative", "float64 or float32", "test_sigmoid_derivative_keeps_shape",
     [(DERIVATIVE, "    a = np.asarray(a, dtype=np.float16 if np.asarray(a).dtype == np.float32 else float)\n"
                   "    return a - a * a\n")]),
    ("sigmoid_derivative", "Not modified: backward() passes the cached arrays.",
     "test_sigmoid_derivative_keeps_shape", [(DERIVATIVE, "    a = np.asarray(a)\n    a *= 1 - a\n    return a\n")]),
    ("sigmoid_derivative", "also where the sigmoid saturates (a at or next to 0 or 1: the slope goes to 0, no floor)",
     "test_sigmoid_derivative_known_values",
     [(DERIVATIVE, DERIVATIVE.replace("a - a * a", "np.maximum(a - a * a, 1e-6)"))]),
    ("forward", "bias_hidden: (H,) array.", "test_forward_init_shapes",
     [(INIT_BIAS, "        self.bias_hidden = np.zeros((1, hidden_size))\n")]),
    ("forward", "seed: an int for reproducible weights (same seed, same network)", "test_forward_init_shapes",
     [(INIT_RNG, "        rng = np.random.default_rng(seed or None)\n")]),
    ("forward", "inputs: (N, D) batch", "test_forward_batch",
     [(F_START, F_START.replace(" + self.bias_hidden", ""))]),
    ("forward", "or a single sample of shape (D,)", "test_forward_single_sample",
     [(F_START, "        inputs = np.atleast_2d(inputs)\n" + F_START)]),
    ("forward", "float64 or float32.\n                Neither", "test_forward_batch",
     [(F_START, "        if inputs.dtype == np.float32:\n            inputs = inputs.astype(np.float16)\n" + F_START)]),
    ("forward", "Neither the inputs nor the weights are modified.", "test_forward_batch",
     [(F_RETURN, F_RETURN.replace("        return", "        inputs *= 0.5\n        return"))]),
    ("forward", "Neither the inputs nor the weights are modified.", "test_forward_batch",
     [(F_RETURN, "        self.output = sigmoid(self.output_layer_input)\n"
                 "        self.weights_input_hidden = self.weights_input_hidden.astype(np.float32)\n"
                 "        return self.output\n")]),
    ("forward", "output: (N, K), or (K,) for a single sample.", "test_forward_single_sample",
     [(F_RETURN, F_RETURN.replace("return self.output", "return np.squeeze(self.output)"))]),
    ("forward", "Also sets self.hidden_layer_input and self.hidden_layer_output",
     "test_forward_caches_activations",
     [(F_HIDDEN, F_HIDDEN + "        self.hidden_layer_input = self.hidden_layer_output\n")]),
    ("forward", "((N, H), or (H,) for\n            a single sample)", "test_forward_single_sample",
     [(F_HIDDEN, "        self.hidden_layer_output = np.atleast_2d(sigmoid(self.hidden_layer_input))\n")]),
    ("backward", "One step of gradient descent on L = 1/2 * sum((actual_output - predicted_output)**2).",
     "test_backward_matches_finite_differences", [(B_RATE, "        rate = self.learning_rate / len(inputs)\n")]),
    ("backward", "Uses the activations cached by the last forward() call",
     "test_backward_matches_finite_differences",
     [("sigmoid_derivative(self.hidden_layer_output)",
       "sigmoid_derivative(sigmoid(inputs @ self.weights_input_hidden))")]),
    ("backward", "updates the four parameter arrays in place", "test_backward_returns_none",
     [(B_W2, B_W2.replace("self.weights_hidden_output += ",
                          "self.weights_hidden_output = self.weights_hidden_output + "))]),
    ("backward", "each step scaled by self.learning_rate", "test_backward_matches_finite_differences",
     [(B_RATE, "        rate = 1.0\n")]),
    ("backward", "nothing is remembered from earlier calls (no momentum)",
     "test_backward_matches_finite_differences",
     [(B_END, B_END + "        self._steps = getattr(self, '_steps', 0) + 1\n        if self._steps > 1:\n"
                      "            self.bias_hidden += 0.1 * rate * hidden_delta.sum(axis=0)\n")]),
    ("backward", "and the arguments are not modified", "test_backward_returns_none",
     [(B_END, B_END + "        predicted_output *= 0.5\n")]),
    ("backward", "inputs: (N, D) batch that forward() was called with (float64 or float32).",
     "test_backward_returns_none",
     [(B_ERROR, "        if inputs.dtype != np.float64:\n            raise TypeError('float64 only')\n" + B_ERROR)]),
    ("backward", "Returns:\n            None.", "test_backward_returns_none", [(B_END, B_END + "        return rate\n")]),
]


def _folder(index: int, exercise: str) -> str:
    return f"{index:02d}-{exercise}"


def _public_titles(exercise: str) -> dict[str, str]:
    module = importlib.import_module(f"autograder.graders.public.test_{exercise}")
    return {name: f"{exercise}: " + function.__doc__.strip().splitlines()[0]
            for name, function in inspect.getmembers(module, inspect.isfunction) if name.startswith("test_")}


def _docstrings(exercise: str) -> str:
    """The docstrings a student reads for an exercise (forward includes MLP's and __init__'s)."""
    namespace = {}
    exec(compile(SOLUTION, "mlp.py", "exec"), namespace)  # noqa: S102 - our own reference solution
    mlp = namespace["MLP"]
    objects = {"sigmoid": [namespace["sigmoid"]], "sigmoid_derivative": [namespace["sigmoid_derivative"]],
               "forward": [mlp, mlp.__init__, mlp.forward], "backward": [mlp.backward]}[exercise]
    return "\n".join(inspect.getdoc(item) for item in objects)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("clauses")
    for index, (exercise, _, _, changes) in enumerate(CLAUSES):
        source = SOLUTION
        for old, new in changes:
            source = mutate(source, old, new)
        (root / "submissions" / _folder(index, exercise)).mkdir(parents=True)
        (root / "submissions" / _folder(index, exercise) / "mlp.py").write_text(source)
    return grade_folders(root / "submissions", root / "out", "--only", ",".join(EXERCISES))


def test_every_clause_is_quoted_from_the_contract_and_every_public_check_is_named():
    for exercise, clause, check, _ in CLAUSES:
        text = " ".join(_docstrings(exercise).split())
        assert " ".join(clause.split()) in text, f"{exercise}: not in its docstrings: {clause!r}"
        assert check in _public_titles(exercise), f"{check} is not a public check of {exercise}"


@pytest.mark.parametrize("index", range(len(CLAUSES)), ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CLAUSES)])
def test_breaking_a_clause_fails_its_public_check(graded, index):
    exercise, clause, check, _ = CLAUSES[index]
    results = graded[_folder(index, exercise)]
    title = _public_titles(exercise)[check]
    [test] = [test for test in results["tests"] if test["name"] == title]
    assert test["score"] < test["max_score"], f"{check} does not try {clause!r}"

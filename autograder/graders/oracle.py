"""Independent expected values for the graders: the lesson's formulas, written out plainly.

The graders never trust one implementation alone: this module recomputes what the
lesson defines (the logistic function, the two-layer forward pass, the squared-error
loss and its gradient by finite differences) without sharing code with solutions/.

The second half writes out what the mistakes students really make would produce, each
with the hint that names it, so a wrong answer that matches one gets that hint (public
and hidden graders use the same words, and tests/course/mistakes/ asserts on them). Mistakes
that can only be written out from a correct backward pass live in mistakes.py instead,
which never ships to students.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, assert_close, check, explained, numerical_gradient
from autograder.handle import StudentError

PARAMETERS = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
# The lesson's XOR data set, as the graders and the report use it (N = 4, D = 2, K = 1).
XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)
CACHED = ("hidden_layer_input", "hidden_layer_output", "output_layer_input", "output")  # what forward() keeps


def logistic(z):
    """1 / (1 + e^-z) for moderate z (the graders keep |z| small enough for it)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def layers(params: dict, x: np.ndarray) -> dict:
    """The four cached arrays of the lesson's forward pass, by einsum (x: (N, D) or (D,))."""
    hidden_in = np.einsum("...d,dh->...h", x, params["weights_input_hidden"]) + params["bias_hidden"]
    hidden_out = logistic(hidden_in)
    output_in = np.einsum("...h,hk->...k", hidden_out, params["weights_hidden_output"]) + params["bias_output"]
    return {"hidden_layer_input": hidden_in, "hidden_layer_output": hidden_out,
            "output_layer_input": output_in, "output": logistic(output_in)}


def cached(net) -> dict:
    """The four arrays forward() left on a student's network, as layers() names them (a missing one
    fails with its own hint)."""
    found = {}
    for name in CACHED:
        with explained(missing=f"forward() did not store self.{name}: keep each layer's values on self for backward()"):
            found[name] = net.get(name)
    return found


def loss(params: dict, x: np.ndarray, y: np.ndarray) -> float:
    """L = 1/2 * sum over samples and outputs of (y - output)^2."""
    return 0.5 * float(np.sum((y - layers(params, x)["output"]) ** 2))


def gradient(params: dict, x: np.ndarray, y: np.ndarray, h: float) -> dict:
    """dL/dparameter for each of the four parameter arrays, by centred differences."""
    grads = {}
    for name in PARAMETERS:
        trial = {key: np.array(value, dtype=float) for key, value in params.items()}
        grads[name] = numerical_gradient(lambda value: loss({**trial, name: value}, x, y), trial[name], h)
    return grads


def random_params(rng: np.random.Generator, d: int, h: int, k: int, scale: float = 1.0) -> dict:
    return {"weights_input_hidden": scale * rng.standard_normal((d, h)), "bias_hidden": scale * rng.standard_normal(h),
            "weights_hidden_output": scale * rng.standard_normal((h, k)), "bias_output": scale * rng.standard_normal(k)}


# -- Known mistakes: {name: (what that mistake returns, hint)} -----------------------------

SIGMOID_SIGN_HINT = ("check the sign inside exp: sigmoid(x) = 1 / (1 + exp(-x)) grows from 0 to 1 as x grows, "
                     "so large x must give values near 1")
SIGMOID_OVERFLOW_HINT = ("np.exp overflowed: exp(-x) is astronomically large for x below about -709. "
                         "Rewrite sigmoid so it never takes exp of a large positive number")
TWICE_HINT = ("sigmoid_derivative receives the activation a = sigmoid(z), already squashed: "
              "applying sigmoid to it again computes the slope at the wrong point")
SHAPE_HINT = ("a matrix product has mismatched shapes: inputs are (N, D), weights_input_hidden (D, H), "
              "weights_hidden_output (H, K); check which side of each product a weight matrix goes on, "
              "and whether it needs .T")
HARD_CODED_HINT = ("forward returns the same output for different inputs and weights: compute it from "
                   "the inputs and the network's weights, never hard-code it")
SIGMOID_WHERE_HINT = ("sigmoid warns even for large POSITIVE x, where exp(-x) cannot overflow: an expression meant for "
                      "negative x is computed there too. np.where(condition, a, b) evaluates both a and b for every "
                      "element before it chooses, so exp(x) overflows wherever the other branch is kept; compute each "
                      "branch only on its own elements (boolean masks), or build both from exp(-abs(x)), which never "
                      "overflows")
SCALAR_OVERFLOW_HINT = ("sigmoid of a Python float far from 0 raised OverflowError: math.exp and ** on a Python float "
                        "raise instead of returning inf; work on np.asarray(x, dtype=float), with a form that never "
                        "exponentiates a large positive number")
BIAS_2D_HINT = ("the biases are 2-D, (1, H) and (1, K) (np.zeros((1, H)), or an update summed with keepdims=True): "
                "the contract's biases are 1-D, bias_hidden (H,) and bias_output (K,); sum a delta over axis 0 "
                "without keepdims to update them")
# A (1, n) update added in place to an (n,) bias: numpy's words for it, whatever n is.
BIAS_2D_RULES = (("ValueError", r"non-broadcastable output operand with shape \(\d+,\) doesn't match the broadcast "
                                r"shape \(1, ?\d+\)", BIAS_2D_HINT),)
DROPOUT_HINT = ("forward gives different outputs for the same inputs and weights: it must be deterministic. Dropout "
                "(a random mask on the hidden layer) or noise belongs to training, not to this forward pass")
ROUNDED_HINT = ("forward returns rounded outputs (0 or 1): return the sigmoid's values themselves; rounding to a class "
                "is for a prediction made from them")


def sigmoid_mistakes(x) -> dict:
    x = np.asarray(x, dtype=float)
    return {"sign": (logistic(-x), SIGMOID_SIGN_HINT),
            "relu": (np.maximum(x, 0), "that is ReLU (max(0, x)), not the sigmoid"),
            "tanh": (np.tanh(x), "that is tanh, not the sigmoid (its range is -1..1, the sigmoid's 0..1)")}


def sigmoid_derivative_mistakes(a) -> dict:
    a = np.asarray(a, dtype=float)
    return {"twice": (logistic(a) * (1 - logistic(a)), TWICE_HINT),
            "minus": (a * (a - 1), "the slope of the sigmoid is never negative: check the order in (1 - a)"),
            "no factor": (1 - a, "sigma'(z) = sigma(z) * (1 - sigma(z)): a factor is missing")}


BIAS_AFTER_HINT = ("a bias is added after the sigmoid: each layer adds its bias to the weighted sum, "
                   "and the sigmoid comes last")


def forward_mistake_layers(params: dict, x: np.ndarray) -> dict:
    """What common wrong forward passes cache: {mistake: ({cached name: array}, hint)}."""
    w1, b1, w2, b2 = (params[name] for name in PARAMETERS)

    def run(hidden_bias=True, output_bias=True, hidden=logistic, output=logistic, bias_after=False):
        hidden_in = x @ w1 + (b1 if hidden_bias and not bias_after else 0)
        hidden_out = hidden(hidden_in) + (b1 if bias_after else 0)
        output_in = hidden_out @ w2 + (b2 if output_bias and not bias_after else 0)
        return {"hidden_layer_input": hidden_in, "hidden_layer_output": hidden_out,
                "output_layer_input": output_in, "output": output(output_in) + (b2 if bias_after else 0)}

    def relu(z):
        return np.maximum(z, 0)

    def linear(z):
        return z

    return {
        "no bias": (run(False, False), "the biases are missing: each layer adds its bias before the sigmoid"),
        "no hidden bias": (run(hidden_bias=False), "the hidden layer's bias is missing"),
        "no output bias": (run(output_bias=False), "the output layer's bias is missing"),
        "bias after sigmoid": (run(bias_after=True), BIAS_AFTER_HINT),
        "linear output": (run(output=linear), "the output layer needs a sigmoid too (it is linear here)"),
        "relu hidden": (run(hidden=relu), "the hidden layer uses ReLU; this network uses the sigmoid on both layers"),
        "linear hidden": (run(hidden=linear), "the hidden layer needs a sigmoid before the output layer"),
    }


def forward_mistakes(params: dict, x: np.ndarray, key: str = "output") -> dict:
    """What common wrong forward passes give for `key` (one of the four cached arrays); for the output,
    also a forward() that rounds it to 0 or 1 (a predict() in forward's place)."""
    mistakes = {name: (cached[key], hint) for name, (cached, hint) in forward_mistake_layers(params, x).items()}
    if key == "output":
        mistakes["rounded"] = (np.round(layers(params, x)["output"]), ROUNDED_HINT)
    return mistakes


def bias_shape_hint(name: str, shape: tuple, want: tuple) -> str:
    """The hint for a parameter of the wrong shape: the 2-D bias convention named when that is what it is."""
    if name.startswith("bias") and tuple(shape) == (1, *want):
        return BIAS_2D_HINT + f" (here {name} has shape {tuple(shape)})"
    return f"{name} should have shape {want} (see the docstring)"


def check_python_floats(student, values, *, rtol: float, atol: float, hint: str) -> None:
    """sigmoid(v) for Python floats v far from 0: right, silent, and no OverflowError (math.exp raises one).
    The values appear in the details only, which hidden checks do not show."""
    for value in values:
        try:
            got, warnings = student.call_warnings("sigmoid", value)
        except StudentError as error:
            if error.type_name == "OverflowError":
                raise CheckFailed(SCALAR_OVERFLOW_HINT,
                                  f"sigmoid({value!r}): {error.type_name}: {error.message}") from None
            raise
        try:
            assert_close(got, logistic(value), what="sigmoid of a Python float", rtol=rtol, atol=atol, hint=hint)
        except CheckFailed as failure:
            raise CheckFailed(failure.hint, f"sigmoid({value!r}): {failure.detail}") from None
        check(not warnings, SIGMOID_OVERFLOW_HINT, f"sigmoid({value!r}): warnings: {warnings[:2]}")


def check_left_alone(inputs, inputs_after, params, params_after, method: str = "forward") -> None:
    """The inputs and the network's parameters after the calls are the grader's own copies: same values,
    same shapes, same dtypes (a rebinding to a float32 copy changes a weight too)."""
    for given, seen in zip(inputs, inputs_after):
        seen = np.asarray(seen) if isinstance(seen, np.ndarray) else None
        check(seen is not None and seen.shape == given.shape and np.array_equal(seen, given),
              f"{method}() changed the inputs it was given: compute into new arrays instead")
    for name, value in params.items():
        seen = params_after.get(name) if isinstance(params_after, dict) else None
        kind = getattr(seen, "dtype", None)
        check(isinstance(seen, np.ndarray) and kind == value.dtype and seen.shape == value.shape
              and np.array_equal(seen, value),
              f"{method}() changed self.{name}: only backward() updates the weights"
              + (f" (it became a {kind} array: a copy in another dtype replaces the weight)"
                 if kind is not None and kind != value.dtype else ""))


def sigmoid_overflow(student, x: np.ndarray, warn_hint: str):
    """check_every_dtype's warn_hint, or SIGMOID_WHERE_HINT when the sigmoid also warns on the positive
    half of x alone (what np.where's discarded branch does, and no exp(-x) can), found by asking it."""
    def hint(dtype) -> str:
        positive = np.abs(np.asarray(x, dtype=dtype))
        _, warnings = student.call_warnings("sigmoid", positive)
        return SIGMOID_WHERE_HINT if warnings else warn_hint
    return hint


STATE_HINT = ("the first backward() step is right but the second, on the same network, is not: backward() must "
              "not remember anything between calls (no momentum, no stored gradients or old weights); each step "
              "uses only the arguments and the activations forward() just cached")
STEP_HINTS = {
    "rate": "the update ignores self.learning_rate",
    "mean": ("the update is averaged over samples (divided by N); "
             "this loss is a sum, so do not divide by the number of samples"),
    "ascent": "the step goes up the loss (gradient ascent): check the sign of output_error against the sign of the update",
    "frozen": "backward() never updates {name}: every weight and bias moves in each step",
}


def step_mistakes(params: dict, grads: dict, rate: float, samples: int) -> dict:
    """Wrong gradient steps that the numerical gradient alone predicts: {mistake: ({name: array}, hint)}.

    (The mistakes inside backprop itself, such as stale weights, are in mistakes.py, which the
    hidden graders use and the student release never contains.)
    """
    def after(scale: float) -> dict:
        return {name: params[name] - scale * grads[name] for name in PARAMETERS}

    return {"rate": (after(1.0), STEP_HINTS["rate"]), "mean": (after(rate / samples), STEP_HINTS["mean"]),
            "ascent": (after(-rate), STEP_HINTS["ascent"]),
            "frozen": ({name: params[name] for name in PARAMETERS}, STEP_HINTS["frozen"])}


def for_parameter(mistakes: dict, name: str) -> dict:
    """One parameter's view of a {mistake: ({name: array}, hint)} table, as assert_close's misconceptions."""
    return {key: (after[name], hint.format(name=name)) for key, (after, hint) in mistakes.items()}


def train_mistakes(losses: np.ndarray, shifted: np.ndarray) -> dict:
    """What wrong train() loops return on XOR (4 samples), from the right losses and those one epoch later."""
    return {
        "frozen": (np.full_like(losses, losses[0]), "the loss never changes: train() must call "
                                                    "backward(inputs, labels, output) every epoch, arguments in that order"),
        "after": (shifted, "each loss is computed after that epoch's update: record it before calling backward()"),
        "mean": (losses / 4, "the loss is 1/2 * a sum over samples, not a mean"),
        "plain mean": (losses / 2, "the loss is 1/2 * a sum over samples, not a mean"),
        "half": (2 * losses, "the loss has a factor 1/2: L = 1/2 * sum((labels - output)**2)"),
    }


# -- Runs in the sandbox (student.run sends it as bytecode; `student` is the submission's module) --

def calls_keeping_inputs(name, inputs):
    """student.<name>(x) for each x, and the inputs as they are after the calls: the grader compares
    them with its own copies (a copy kept in here could be rewritten by the code under test)."""
    function = getattr(student, name)  # noqa: F821
    return [function(x) for x in inputs], inputs


def forward_runs(sizes, params, inputs):
    """MLP(*sizes, seed=0) given `params`, then forward(x) for each x: the outputs, the inputs after
    the calls and the network's parameters after them (the grader compares both with its own copies)."""
    net = student.MLP(*sizes, seed=0)  # noqa: F821
    for name, value in params.items():
        setattr(net, name, value)
    outputs = [net.forward(x) for x in inputs]
    return outputs, inputs, {name: getattr(net, name) for name in params}


def backward_runs(sizes, params, caches, batches, rate):
    """One MLP(*sizes, learning_rate=rate) given `params`, then backward() once per batch, each after
    setting that step's cached activations: per step, whether the four parameter arrays are the same
    objects, their values and what backward() returned; and the batches and caches after the calls
    (the grader compares them with its own copies)."""
    net = student.MLP(*sizes, learning_rate=rate, seed=0)  # noqa: F821
    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
    for name in names:
        setattr(net, name, params[name])
    arrays = [params[name] for name in names]
    same, values, returned = [], [], []
    for cache, (x, y) in zip(caches, batches):
        for key, value in cache.items():
            setattr(net, key, value)
        returned.append(net.backward(x, y, cache["output"]) is None)
        after = [getattr(net, name) for name in names]
        same.append([a is b for a, b in zip(arrays, after)])
        values.append({name: value.copy() for name, value in zip(names, after)})
    return {"same": same, "values": values, "returned_none": returned, "batches": batches, "caches": caches}

def train_xor_runs(seeds, inputs):
    """train_xor(seed) for each seed, recording every MLP.train call it makes: where each call
    started and ended, so the grader can tell that the network returned is the one train() produced."""
    import time

    import numpy as np

    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")

    def snapshot(network):
        return {name: np.array(getattr(network, name), dtype=float) for name in names}

    runs = []
    for seed in seeds:
        calls = []
        original = student.MLP.train  # noqa: F821

        def recording(self, *args, **kwargs):
            start = snapshot(self)
            try:
                return original(self, *args, **kwargs)
            finally:
                calls.append({"start": start, "end": snapshot(self), "network": id(self)})

        student.MLP.train = recording  # noqa: F821
        started = time.process_time()  # CPU time: a busy grading machine does not make it slow
        try:
            net = student.train_xor(seed)  # noqa: F821
        finally:
            student.MLP.train = original  # noqa: F821
        seconds = time.process_time() - started
        runs.append({"calls": [{key: call[key] for key in ("start", "end")} for call in calls],
                     "same_network": [call["network"] == id(net) for call in calls], "seconds": seconds,
                     "params": {name: getattr(net, name) for name in names}, "predicted": net.predict(inputs)})
    return runs


def train_provenance(run) -> str | None:
    """Why the network of one recorded train_xor run is not the one its train() calls produced, or None."""
    calls = run.get("calls") if isinstance(run, dict) else None
    if not isinstance(calls, list) or not calls:
        return "train_xor must train the network with its train() method (no hand-set weights)"
    try:
        chain = [({n: np.asarray(c["start"][n], dtype=float) for n in PARAMETERS},
                  {n: np.asarray(c["end"][n], dtype=float) for n in PARAMETERS}) for c in calls]
        final = {n: np.asarray(run["params"][n], dtype=float) for n in PARAMETERS}
    except Exception:  # noqa: BLE001 - whatever shape a strange network gives, it is not a trained MLP
        return "train_xor should return the MLP it trained, with its four parameter arrays"
    same = lambda a, b: all(a[n].shape == b[n].shape and np.array_equal(a[n], b[n]) for n in PARAMETERS)  # noqa: E731
    if any(not same(end, start) for (_, end), (start, _) in zip(chain, chain[1:])) or not same(chain[-1][1], final) \
            or not all(run.get("same_network") or [False]):
        return ("the network train_xor returns is not the one train() produced: its weights were changed after "
                "train() returned (or between train() calls). Return the network exactly as train() leaves it")
    return None

"""Day 2's mutant probe for `make validate-graders` (autograder/validate.py): is a mutant of
solutions/mlp.py equivalent to the reference, or correct by the contract, or changed?

    python tests/course/mutant_probe.py MODULE REFERENCE MUTANT   -> one line of JSON: {"verdict", "why"}
    python tests/course/mutant_probe.py --extra MODULE REFERENCE  -> JSON: this lesson's extra no-work mutants

The engine cannot tell an equivalent mutant from a surviving one; this lesson can. Each function
of the mutant and of the reference runs on fixed random inputs (in this process, which the
validator starts per mutant):

- equivalent: every function gives the same results (to float32 precision) - nothing to catch;
- correct: only train_xor's network differs and it still solves XOR for 20 of 20 seeds in well
  under a second (other hyperparameters: the contract lets students choose them);
- uncertain: train_xor solves XOR for 17 to 19 seeds (not counted either way);
- changed: anything else. A changed mutant must lose points.
For mnist_keras.py (running Keras per mutant would take minutes), REVIEWED lists the mutants a
person has judged, by the line they change; any other gets "unknown", and a survivor among those
is the validator's to report.

--extra adds two no-work mutants the generic ones cannot write: a backward() with momentum, whose
first step from a fresh network is exactly right and every later one is not, and a train_xor() that
trains one epoch and then sets XOR's weights by hand (it keeps what train() itself earns: only the
checks that judge train_xor's network must go to 0).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _attempt(function):
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            value = function()
        return {"value": value, "warnings": sorted({str(w.message) for w in caught})}
    except Exception as error:  # a mutant may raise anything
        return {"raised": type(error).__name__}


def observe(module) -> dict[str, dict]:
    """What each exercise's code does on fixed inputs: {category: outcome}."""
    sys.path.insert(0, str(REPO))
    from autograder.graders.oracle import PARAMETERS, layers, random_params

    rng = np.random.default_rng(12345)
    xor_in, xor_out = module.XOR_INPUTS, module.XOR_LABELS
    x = rng.normal(scale=5.0, size=(3, 4))
    a = rng.uniform(size=(3, 4))
    params = random_params(rng, 3, 5, 2)
    batch, single, targets = rng.normal(size=(6, 3)), rng.normal(size=3), rng.uniform(size=(6, 2))
    xor_params = random_params(rng, 2, 4, 1)

    extreme = np.array([-1e4, -800.0, -100.0, -89.0, 0.0, 89.0, 100.0, 800.0, 1e4])

    def sigmoid():
        copy_of_x, far, far32 = x.copy(), extreme.copy(), extreme.astype(np.float32)
        values = [module.sigmoid(x), module.sigmoid(far), module.sigmoid(1.5), module.sigmoid(-2),
                  module.sigmoid(x.astype(np.float32)), module.sigmoid(far32)]
        return values + [copy_of_x - x, far - extreme, far32 - extreme.astype(np.float32)]

    saturated = np.array([0.0, 1e-12, 1e-6, 1e-4, 1 - 1e-4, 1 - 1e-6, 1 - 1e-12, 1.0])

    def sigmoid_derivative():
        given, given32 = a.copy(), saturated.astype(np.float32)
        values = [module.sigmoid_derivative(given), module.sigmoid_derivative(0.3),
                  module.sigmoid_derivative(saturated.copy())]
        # float32 input is only checked for being left alone: its a - a * a in float32 is off by ~6e-8 near
        # a = 1, which the contract accepts (grading.toml's atol) and _same would not.
        module.sigmoid_derivative(given32)
        return values + [given - a, given32 - saturated.astype(np.float32)]

    def initial():
        nets = [module.MLP(3, 5, 2, seed=7), module.MLP(3, 5, 2, learning_rate=0.3, seed=8)]
        return [getattr(net, name) for net in nets for name in PARAMETERS] + [nets[1].learning_rate]

    def forward():
        net = module.MLP(3, 5, 2, seed=0)
        for name, value in params.items():
            setattr(net, name, value.copy())
        given = batch.copy()
        out = [net.forward(given)] + [getattr(net, name) for name in layers(params, batch)] + [given - batch]
        out += [net.forward(single)] + [getattr(net, name) for name in layers(params, batch)]
        return out + [net.predict(batch), net.forward(batch.astype(np.float32))] + [
            getattr(net, name) - params[name] for name in PARAMETERS]

    def backward():
        net = module.MLP(3, 5, 2, learning_rate=0.3, seed=0)
        arrays = {name: value.copy() for name, value in params.items()}
        for name, value in {**arrays, **layers(params, batch)}.items():
            setattr(net, name, value)
        arguments = [batch.copy(), targets.copy(), layers(params, batch)["output"]]
        returned = net.backward(*arguments)
        out = [getattr(net, name).copy() for name in PARAMETERS] + [returned is None] + [
            getattr(net, name) is arrays[name] for name in PARAMETERS]
        out += [arguments[0] - batch, arguments[1] - targets]
        # A second step on the same network, from its new weights: a stateful backward() differs here.
        now = {name: np.array(getattr(net, name), dtype=float) for name in PARAMETERS}
        second = layers(now, batch[::-1])
        for name, value in second.items():
            setattr(net, name, value)
        net.backward(batch[::-1].copy(), targets[::-1].copy(), second["output"])
        return out + [getattr(net, name) for name in PARAMETERS]

    def train():
        net = module.MLP(2, 4, 1, learning_rate=0.7, seed=0)
        for name, value in xor_params.items():
            setattr(net, name, value.copy())
        return [net.train(xor_in, xor_out, 40)] + [getattr(net, name) for name in PARAMETERS]

    def train_xor():
        return [getattr(module.train_xor(seed), name) for seed in (0, 1, 2) for name in PARAMETERS]

    return {name: _attempt(function) for name, function in [
        ("sigmoid", sigmoid), ("sigmoid_derivative", sigmoid_derivative), ("MLP.__init__", initial),
        ("MLP.forward", forward), ("MLP.backward", backward), ("MLP.train", train), ("train_xor", train_xor)]}


def _same(left, right) -> bool:
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    if isinstance(left, (bool, np.bool_)) or isinstance(right, (bool, np.bool_)) or left is None or right is None:
        return left is right or (isinstance(left, (bool, np.bool_)) and left == right)
    try:
        left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    except (TypeError, ValueError):
        return False
    # Equal to float32 precision: the contract accepts float32 arithmetic (a dropped dtype=float
    # that computes float32 inputs in float32 is not a behaviour change a grader should catch).
    return left.shape == right.shape and bool(np.allclose(left, right, rtol=1e-6, atol=1e-9, equal_nan=True))


def _solves_xor(module, seeds=range(20)) -> tuple[int, float]:
    """(seeds solved, seconds per seed) by train_xor, the contract's test of other hyperparameters."""
    solved, started = 0, time.perf_counter()
    for seed in seeds:
        try:
            net = module.train_xor(seed)
            outputs = np.asarray(net.forward(module.XOR_INPUTS), dtype=float)
            solved += bool(outputs.shape == (4, 1) and np.all(np.abs(outputs - module.XOR_LABELS) < 0.1))
        except Exception:
            pass
    return solved, (time.perf_counter() - started) / len(seeds)


def _reproducible(module, seed=3) -> bool:
    try:
        first, again = module.train_xor(seed), module.train_xor(seed)
        return all(np.array_equal(getattr(first, name), getattr(again, name)) for name in
                   ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output"))
    except Exception:
        return False


def probe(reference: Path, path: Path) -> dict:
    reference, mutant = _load(reference, "reference_mlp"), _load(path, "mutant_mlp")
    want, got = observe(reference), observe(mutant)
    differ = [name for name in want if not (want[name].keys() == got[name].keys() and all(
        _same(want[name][key], got[name][key]) if key == "value" else want[name][key] == got[name][key]
        for key in want[name]))]
    if not differ:
        return {"verdict": "equivalent", "why": "same results on every probe"}
    if differ == ["train_xor"]:
        if not _reproducible(mutant):
            return {"verdict": "changed", "why": "train_xor(seed) is not reproducible"}
        solved, seconds = _solves_xor(mutant)
        if solved == 20 and seconds < 0.5:
            return {"verdict": "correct", "why": f"other hyperparameters; solves XOR for 20/20 seeds, {seconds:.2f} s each"}
        if solved >= 17:
            return {"verdict": "uncertain", "why": f"solves XOR for {solved}/20 seeds, {seconds:.2f} s each"}
        return {"verdict": "changed", "why": f"train_xor solves XOR for {solved}/20 seeds"}
    return {"verdict": "changed", "why": "differs in " + ", ".join(differ)}


# {(the reference's line, the mutant's line), as ast.unparse writes them: (verdict, why)}, each judged
# by reading Keras' and NumPy's documentation.
REVIEWED = {
    ("return images.reshape(len(images), -1).astype('float32') / 255.0",
     "return images.reshape(len(images), -2).astype('float32') / 255.0"):
        ("equivalent", "NumPy's reshape takes any negative size as the one it infers, like -1"),
    ("model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
     "model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])"):
        ("correct", "Keras' default optimizer (rmsprop) is an optimizer; the contract names none, and the "
                    "accuracy checks judge what it reaches"),
}


def reviewed(reference: Path, mutant: Path) -> dict:
    """The verdict of REVIEWED for the first line the mutant changes, else "unknown"."""
    def lines(path: Path) -> list[str]:  # both as ast.unparse writes them: the mutant may be written so
        return ast.unparse(ast.parse(path.read_text())).splitlines()

    for old, new in zip(lines(reference), lines(mutant)):
        if old.strip() != new.strip():
            verdict, why = REVIEWED.get((old.strip(), new.strip()), ("unknown", "not reviewed"))
            return {"verdict": verdict, "why": why}
    return {"verdict": "unknown", "why": "no line changed"}


EXTRA = [
    {"exercise": "backward", "description": "no work: stateful (MLP.backward, momentum)", "must_lose": None,
     "bodies": {"MLP.backward": """output_delta = (actual_output - predicted_output) * sigmoid_derivative(predicted_output)
hidden_delta = (output_delta @ self.weights_hidden_output.T) * sigmoid_derivative(self.hidden_layer_output)
steps = {"weights_hidden_output": self.hidden_layer_output.T @ output_delta, "bias_output": output_delta.sum(axis=0),
         "weights_input_hidden": inputs.T @ hidden_delta, "bias_hidden": hidden_delta.sum(axis=0)}
velocity = getattr(self, "_velocity", None) or {name: 0.0 for name in steps}
for name, step in steps.items():
    velocity[name] = 0.9 * velocity[name] + step
    getattr(self, name)[...] += self.learning_rate * velocity[name]
self._velocity = velocity"""}},
    {"exercise": "train_xor", "description": "no work: hand-set XOR weights (train_xor)",
     "must_lose": ["test_train_xor_solves_xor", "test_train_xor_converges_for_most_seeds"],
     "bodies": {"train_xor": """network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
network.train(XOR_INPUTS, XOR_LABELS, epochs=1)
noise = np.random.default_rng(seed).normal(scale=1e-3, size=4)
network.weights_input_hidden[...] = np.array([[20.0, -20.0], [20.0, -20.0]]) + noise.reshape(2, 2)
network.bias_hidden[...] = [-10.0, 30.0]
network.weights_hidden_output[...] = [[20.0], [20.0]]
network.bias_output[...] = [-30.0]
return network"""}},
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[0] == "--extra":
        print(json.dumps(EXTRA if argv[1] == "mlp" else []))
        return 0
    module, reference, mutant = argv
    if module != "mlp":
        print(json.dumps(reviewed(Path(reference), Path(mutant))))
        return 0
    print(json.dumps(probe(Path(reference), Path(mutant))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

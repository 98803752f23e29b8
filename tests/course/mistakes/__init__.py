"""Wrong submissions students really write: solutions/mlp.py with ONE known mistake each.

Each Mistake is a list of (old, new) text replacements applied to the reference, each of
which must match exactly once (so a change to solutions/ that breaks a mistake fails loudly),
the exercise it belongs to, and a phrase its hint must contain. tests/test_mistakes.py grades
them all and checks that each loses points on its own exercise only and gets its hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / "mlp.py"


@dataclass(frozen=True)
class Mistake:
    name: str
    exercise: str
    replacements: tuple[tuple[str, str], ...]
    hint: str  # a phrase of the hint the student must see on that exercise

    def source(self, reference: str | None = None) -> str:
        text = SOLUTION.read_text() if reference is None else reference
        for old, new in self.replacements:
            assert text.count(old) == 1, f"{self.name}: expected exactly one {old!r} in solutions/mlp.py"
            text = text.replace(old, new)
        return text


STABLE = "return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))"
HIDDEN_ERROR = """        hidden_error = output_delta @ self.weights_hidden_output.T
        hidden_delta = hidden_error * sigmoid_derivative(self.hidden_layer_output)
"""
W2_UPDATE = "        self.weights_hidden_output += rate * (self.hidden_layer_output.T @ output_delta)\n"
FORWARD = """        self.hidden_layer_input = inputs @ self.weights_input_hidden + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = self.hidden_layer_output @ self.weights_hidden_output + self.bias_output
        self.output = sigmoid(self.output_layer_input)
        return self.output
"""
EPOCH_LOOP = """        for _ in range(epochs):
            predicted_output = self.forward(inputs)
            losses.append(0.5 * float(np.sum((labels - predicted_output) ** 2)))
            self.backward(inputs, labels, predicted_output)
"""
TRAIN_XOR = """    network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1000)
"""

MISTAKES = [
    # sigmoid
    Mistake("sign inside exp", "sigmoid", ((STABLE, "return np.exp(-np.logaddexp(0.0, np.asarray(x, dtype=float)))"),),
            "check the sign inside exp"),
    Mistake("ReLU instead of sigmoid", "sigmoid", ((STABLE, "return np.maximum(0.0, np.asarray(x, dtype=float))"),),
            "that is ReLU"),
    Mistake("lesson one-liner overflows", "sigmoid", ((STABLE, "return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))"),),
            "np.exp overflowed"),
    Mistake("clips its caller's array in place", "sigmoid",
            ((STABLE, "np.clip(x, -500, 500, out=x) if isinstance(x, np.ndarray) else None\n"
                      "    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))"),),
            "changed its input array"),
    Mistake("overflows for float32 only", "sigmoid",
            ((STABLE, "z = np.clip(np.asarray(x), -709, 709)\n    return 1 / (1 + np.exp(-z))"),),
            "np.exp overflowed"),
    Mistake("truncates integer input", "sigmoid",
            ((STABLE, "x = np.asarray(x)\n    out = np.empty_like(x)\n"
                      "    out[...] = np.exp(-np.logaddexp(0.0, -x))\n    return out"),),
            "convert the input to floats first"),
    Mistake("clipped at +-20", "sigmoid",
            ((STABLE, "return np.exp(-np.logaddexp(0.0, -np.clip(np.asarray(x, dtype=float), -20, 20)))"),),
            "tend to 0 for very negative x"),
    Mistake("returns a huge Python integer", "sigmoid", ((STABLE, "return 10**400"),), "not an array of numbers"),
    Mistake("modifies its input", "sigmoid",
            ((STABLE, "x = np.asarray(x, dtype=float)\n    np.negative(x, out=x)\n    return np.exp(-np.logaddexp(0.0, x))"),),
            "changed its input array"),
    # sigmoid_derivative
    Mistake("sigmoid applied again", "sigmoid_derivative", (("    return a - a * a\n", "    s = sigmoid(a)\n    return s * (1 - s)\n"),),
            "applying sigmoid to it again"),
    Mistake("slope sign flipped", "sigmoid_derivative", (("return a - a * a", "return a * a - a"),), "never negative"),
    Mistake("slope floored at 1e-4", "sigmoid_derivative", (("return a - a * a", "return np.maximum(a - a * a, 1e-4)"),),
            "no floor"),
    Mistake("overwrites its input", "sigmoid_derivative",
            (("    a = np.asarray(a, dtype=float)\n    return a - a * a\n",
              "    a = np.asarray(a)\n    a *= 1 - a\n    return a\n"),), "changed the array it was given"),
    Mistake("returns an object array", "sigmoid_derivative",
            (("return a - a * a", "return np.array([a - a * a, None], dtype=object)"),), "not an array of numbers"),
    # forward (MLP.__init__ and MLP.forward)
    Mistake("missing bias", "forward", ((" + self.bias_hidden\n", "\n"), (" + self.bias_output\n", "\n")),
            "the biases are missing"),
    Mistake("bias added after the sigmoid", "forward",
            ((FORWARD, FORWARD.replace(" + self.bias_hidden\n", "\n").replace(" + self.bias_output\n", "\n")
              .replace("sigmoid(self.hidden_layer_input)", "sigmoid(self.hidden_layer_input) + self.bias_hidden")
              .replace("sigmoid(self.output_layer_input)", "sigmoid(self.output_layer_input) + self.bias_output")),),
            "bias is added after the sigmoid"),
    Mistake("single sample cached as 2-D", "forward",
            (("        self.hidden_layer_input = inputs @", "        single = np.ndim(inputs) == 1\n"
              "        inputs = np.atleast_2d(inputs)\n        self.hidden_layer_input = inputs @"),
             ("        return self.output\n", "        return self.output[0] if single else self.output\n")),
            "should be 1-D"),
    Mistake("linear output layer", "forward",
            (("self.output = sigmoid(self.output_layer_input)", "self.output = self.output_layer_input"),),
            "the output layer needs a sigmoid"),
    Mistake("ReLU hidden layer", "forward",
            (("sigmoid(self.hidden_layer_input)", "np.maximum(self.hidden_layer_input, 0)"),), "uses ReLU"),
    Mistake("transposed weights", "forward",
            (("inputs @ self.weights_input_hidden +", "inputs @ self.weights_input_hidden.T +"),),
            "which side of each product"),
    Mistake("no cache", "forward", ((FORWARD, FORWARD.replace("self.hidden_layer", "hidden_layer")
                                     .replace("self.output_layer", "output_layer").replace("self.output", "output")),),
            "did not store self."),
    Mistake("hard-coded outputs in forward", "forward",
            (("        return self.output\n", "        self.output = XOR_LABELS.copy()\n        return self.output\n"),),
            "never hard-code it"),
    Mistake("all-zero initial weights", "forward",
            (("rng.standard_normal((input_size, hidden_size))", "np.zeros((input_size, hidden_size))"),
             ("rng.standard_normal((hidden_size, output_size))", "np.zeros((hidden_size, output_size))")),
            "start with"),
    # backward
    Mistake("gradient ascent", "backward",
            (("output_error = actual_output - predicted_output", "output_error = predicted_output - actual_output"),),
            "gradient ascent"),
    Mistake("bias never updated", "backward",
            (("        self.bias_output += rate * output_delta.sum(axis=0)\n", ""),
             ("        self.bias_hidden += rate * hidden_delta.sum(axis=0)\n", "")),
            "never update"),
    Mistake("derivative of the pre-activation", "backward",
            (("sigmoid_derivative(predicted_output)", "sigmoid_derivative(self.output_layer_input)"),
             ("sigmoid_derivative(self.hidden_layer_output)", "sigmoid_derivative(self.hidden_layer_input)")),
            "pre-activation"),
    Mistake("stale weights", "backward", ((HIDDEN_ERROR, ""), (W2_UPDATE, W2_UPDATE + HIDDEN_ERROR)),
            "AFTER its update"),
    Mistake("mean instead of sum", "backward",
            (("rate = self.learning_rate", "rate = self.learning_rate / len(inputs)"),), "averaged over samples"),
    Mistake("ignored learning rate", "backward", (("rate = self.learning_rate", "rate = 1.0"),),
            "ignores self.learning_rate"),
    Mistake("missing sigmoid slope", "backward",
            (("output_delta = output_error * sigmoid_derivative(predicted_output)", "output_delta = output_error"),
             ("hidden_delta = hidden_error * sigmoid_derivative(self.hidden_layer_output)", "hidden_delta = hidden_error")),
            "missing the sigmoid's slope"),
    Mistake("transposed weights in backward", "backward",
            (("output_delta @ self.weights_hidden_output.T", "output_delta @ self.weights_hidden_output"),),
            "mismatched shapes"),
    Mistake("new arrays instead of in-place updates", "backward",
            (("self.weights_hidden_output += rate", "self.weights_hidden_output = self.weights_hidden_output + rate"),),
            "in place"),
    Mistake("momentum", "backward",
            (("        rate = self.learning_rate\n",
              "        rate = self.learning_rate\n        old = getattr(self, '_last', None)\n"
              "        steps = [self.hidden_layer_output.T @ output_delta, output_delta.sum(axis=0),\n"
              "                 inputs.T @ hidden_delta, hidden_delta.sum(axis=0)]\n"
              "        if old is not None:\n"
              "            steps = [step + 0.5 * previous for step, previous in zip(steps, old)]\n"
              "        self._last = steps\n"),
             ("rate * (self.hidden_layer_output.T @ output_delta)", "rate * steps[0]"),
             ("rate * output_delta.sum(axis=0)", "rate * steps[1]"),
             ("rate * (inputs.T @ hidden_delta)", "rate * steps[2]"),
             ("rate * hidden_delta.sum(axis=0)", "rate * steps[3]")),
            "must not remember anything between calls"),
    # train_xor (MLP.train, train_xor, predict)
    Mistake("training for one epoch", "train_xor",
            ((EPOCH_LOOP, """        predicted_output = self.forward(inputs)
        losses.append(0.5 * float(np.sum((labels - predicted_output) ** 2)))
        self.backward(inputs, labels, predicted_output)
"""),),
            "single epoch"),
    Mistake("swapped arguments to backward", "train_xor",
            (("self.backward(inputs, labels, predicted_output)", "self.backward(inputs, predicted_output, labels)"),),
            "arguments in that order"),
    Mistake("loss recorded after the update", "train_xor",
            ((EPOCH_LOOP, EPOCH_LOOP.replace(
                "            losses.append(0.5 * float(np.sum((labels - predicted_output) ** 2)))\n", "")
              + "            losses.append(0.5 * float(np.sum((labels - self.forward(inputs)) ** 2)))\n"),),
            "after that epoch's update"),
    Mistake("mean loss", "train_xor", (("0.5 * float(np.sum(", "0.5 * float(np.mean("),), "not a mean"),
    Mistake("the lesson's XOR settings", "train_xor",
            ((TRAIN_XOR, """    network = MLP(2, 2, 1, learning_rate=1.0, seed=seed)
    rng = np.random.default_rng(seed)  # the lesson's np.random.rand: every weight in [0, 1)
    network.weights_input_hidden = rng.random((2, 2))
    network.weights_hidden_output = rng.random((2, 1))
    network.bias_hidden = rng.random(2)
    network.bias_output = rng.random(1)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=100)
"""),), "the lesson's settings"),
    Mistake("XOR weights set by hand", "train_xor",
            ((TRAIN_XOR, """    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    network.weights_input_hidden = np.array([[20.0, -20.0], [20.0, -20.0]])  # OR and NAND
    network.bias_hidden = np.array([-10.0, 30.0])
    network.weights_hidden_output = np.array([[20.0], [20.0]])  # AND of the two
    network.bias_output = np.array([-30.0])
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1)
"""),), "set by hand"),
    Mistake("XOR weights set by hand after training", "train_xor",
            ((TRAIN_XOR, """    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1)
    noise = np.random.default_rng(seed).normal(scale=1e-3, size=(2, 2))
    network.weights_input_hidden = np.array([[20.0, -20.0], [20.0, -20.0]]) + noise
    network.bias_hidden = np.array([-10.0, 30.0])
    network.weights_hidden_output = np.array([[20.0], [20.0]])
    network.bias_output = np.array([-30.0])
"""),), "not the one train() produced"),
    Mistake("hard-coded predict", "train_xor",
            (("        return self.forward(inputs)\n", "        return XOR_LABELS.copy()\n"),), "predict() does not return"),
    Mistake("seed ignored", "train_xor", (("learning_rate=2.0, seed=seed)", "learning_rate=2.0, seed=0)"),),
            "same network for every seed"),
    Mistake("seed not passed to MLP", "train_xor", (("learning_rate=2.0, seed=seed)", "learning_rate=2.0)"),),
            "different network each time"),
]

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
    Mistake("modifies its input", "sigmoid",
            ((STABLE, "x = np.asarray(x, dtype=float)\n    np.negative(x, out=x)\n    return np.exp(-np.logaddexp(0.0, x))"),),
            "changed its input array"),
    # sigmoid_derivative
    Mistake("sigmoid applied again", "sigmoid_derivative", (("    return a - a * a\n", "    s = sigmoid(a)\n    return s * (1 - s)\n"),),
            "applying sigmoid to it again"),
    Mistake("slope sign flipped", "sigmoid_derivative", (("return a - a * a", "return a * a - a"),), "never negative"),
    # forward (MLP.__init__ and MLP.forward)
    Mistake("missing bias", "forward", ((" + self.bias_hidden\n", "\n"), (" + self.bias_output\n", "\n")),
            "the biases are missing"),
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
    Mistake("hard-coded predict", "train_xor",
            (("        return self.forward(inputs)\n", "        return XOR_LABELS.copy()\n"),), "predict() does not return"),
    Mistake("seed ignored", "train_xor", (("learning_rate=2.0, seed=seed)", "learning_rate=2.0, seed=0)"),),
            "same network for every seed"),
    Mistake("seed not passed to MLP", "train_xor", (("learning_rate=2.0, seed=seed)", "learning_rate=2.0)"),),
            "different network each time"),
]

"""Correct variant: np.vectorize over a math-module logistic, explicit sums with np.add.reduce, a while loop.

The logistic branches on the sign so math.exp never overflows; sigmoid returns a Python float
for a scalar. backward() builds every update first, then applies them with [...] -= (in place).
XOR: 10 hidden units, learning rate 1.8, 800 epochs.
"""

import math

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def _logistic(z):
    if z < 0:
        e = math.exp(z)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(-z))


_vectorized = np.vectorize(_logistic, otypes=[float])


def sigmoid(x):
    if np.ndim(x) == 0:
        return _logistic(float(x))
    return _vectorized(np.asarray(x, dtype=float))


def sigmoid_derivative(a):
    a = np.array(a, dtype=float, copy=True)
    return a * (1 - a)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        rng = np.random.default_rng(seed)
        self.weights_input_hidden = rng.standard_normal(input_size * hidden_size).reshape(input_size, hidden_size)
        self.weights_hidden_output = rng.standard_normal(hidden_size * output_size).reshape(hidden_size, output_size)
        self.bias_hidden = np.zeros(hidden_size)
        self.bias_output = np.zeros(output_size)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        x = np.asarray(inputs, dtype=float)
        self.hidden_layer_input = np.einsum("...i,ij->...j", x, self.weights_input_hidden) + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = (np.einsum("...j,jk->...k", self.hidden_layer_output, self.weights_hidden_output)
                                   + self.bias_output)
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        error = actual_output - predicted_output
        output_delta = error * sigmoid_derivative(predicted_output)
        hidden_delta = (output_delta @ self.weights_hidden_output.T) * sigmoid_derivative(self.hidden_layer_output)
        steps = {
            "weights_hidden_output": self.hidden_layer_output.T @ output_delta,
            "bias_output": np.add.reduce(output_delta, axis=0),
            "weights_input_hidden": np.asarray(inputs, dtype=float).T @ hidden_delta,
            "bias_hidden": np.add.reduce(hidden_delta, axis=0),
        }
        for name, step in steps.items():
            getattr(self, name)[...] -= -self.learning_rate * step

    def train(self, inputs, labels, epochs=10000):
        losses, epoch = [], 0
        while epoch < epochs:
            output = self.forward(inputs)
            losses.append(0.5 * float(np.add.reduce(((labels - output) ** 2).ravel())))
            self.backward(inputs, labels, output)
            epoch += 1
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 10, 1, learning_rate=1.8, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=800)
    return network

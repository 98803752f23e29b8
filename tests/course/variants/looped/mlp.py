"""Correct variant: explicit Python loops everywhere, a per-element branch-on-sign sigmoid with math.exp.

XOR: 3 hidden units, learning rate 2.5, 2000 epochs.
"""

import math

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def _logistic(value):
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    e = math.exp(value)
    return e / (1.0 + e)


def sigmoid(x):
    if np.ndim(x) == 0:
        return _logistic(float(x))
    x = np.asarray(x, dtype=float)
    out = np.empty(x.shape)
    for index in np.ndindex(x.shape):
        out[index] = _logistic(x[index])
    return out


def sigmoid_derivative(a):
    a = np.asarray(a, dtype=float)
    out = np.empty(a.shape)
    for index in np.ndindex(a.shape):
        out[index] = a[index] * (1.0 - a[index])
    return out


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        rng = np.random.default_rng(seed)
        self.weights_input_hidden = np.array([[rng.normal() for _ in range(hidden_size)] for _ in range(input_size)])
        self.weights_hidden_output = np.array([[rng.normal() for _ in range(output_size)] for _ in range(hidden_size)])
        self.bias_hidden = np.zeros(hidden_size)
        self.bias_output = np.zeros(output_size)
        self.learning_rate = learning_rate

    @staticmethod
    def _layer(rows, weights, bias):
        out = np.empty((rows.shape[0], weights.shape[1]))
        for n in range(rows.shape[0]):
            for j in range(weights.shape[1]):
                total = bias[j]
                for i in range(weights.shape[0]):
                    total += rows[n, i] * weights[i, j]
                out[n, j] = total
        return out

    def forward(self, inputs):
        inputs = np.asarray(inputs, dtype=float)
        single = inputs.ndim == 1
        rows = inputs.reshape(1, -1) if single else inputs
        hidden_in = self._layer(rows, self.weights_input_hidden, self.bias_hidden)
        hidden_out = sigmoid(hidden_in)
        output_in = self._layer(hidden_out, self.weights_hidden_output, self.bias_output)
        output = sigmoid(output_in)
        if single:
            hidden_in, hidden_out, output_in, output = hidden_in[0], hidden_out[0], output_in[0], output[0]
        self.hidden_layer_input, self.hidden_layer_output = hidden_in, hidden_out
        self.output_layer_input, self.output = output_in, output
        return output

    def backward(self, inputs, actual_output, predicted_output):
        n_samples, n_out = actual_output.shape
        n_in, n_hidden = self.weights_input_hidden.shape
        output_delta = np.empty((n_samples, n_out))
        for n in range(n_samples):
            for k in range(n_out):
                error = actual_output[n, k] - predicted_output[n, k]
                output_delta[n, k] = error * sigmoid_derivative(predicted_output[n, k])
        hidden_delta = np.empty((n_samples, n_hidden))
        for n in range(n_samples):
            for j in range(n_hidden):
                error = sum(output_delta[n, k] * self.weights_hidden_output[j, k] for k in range(n_out))
                hidden_delta[n, j] = error * sigmoid_derivative(self.hidden_layer_output[n, j])
        rate = self.learning_rate
        for j in range(n_hidden):
            for k in range(n_out):
                self.weights_hidden_output[j, k] += rate * sum(
                    self.hidden_layer_output[n, j] * output_delta[n, k] for n in range(n_samples))
        for k in range(n_out):
            self.bias_output[k] += rate * sum(output_delta[n, k] for n in range(n_samples))
        for i in range(n_in):
            for j in range(n_hidden):
                self.weights_input_hidden[i, j] += rate * sum(inputs[n, i] * hidden_delta[n, j] for n in range(n_samples))
        for j in range(n_hidden):
            self.bias_hidden[j] += rate * sum(hidden_delta[n, j] for n in range(n_samples))

    def train(self, inputs, labels, epochs=10000):
        losses = []
        epoch = 0
        while epoch < epochs:
            predicted_output = self.forward(inputs)
            total = 0.0
            for n in range(labels.shape[0]):
                for k in range(labels.shape[1]):
                    total += (labels[n, k] - predicted_output[n, k]) ** 2
            losses.append(total / 2)
            self.backward(inputs, labels, predicted_output)
            epoch += 1
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 3, 1, learning_rate=2.5, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=2000)
    return network

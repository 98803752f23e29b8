"""Correct variant: float32 arithmetic inside every function, a where-on-sign sigmoid from exp(-|x|).

XOR: 6 hidden units, learning rate 3, 600 epochs.
"""

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)
F = np.float32


def sigmoid(x):
    x = np.asarray(x, dtype=F)
    e = np.exp(-np.abs(x))  # never above 1, so it cannot overflow
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(F)


def sigmoid_derivative(a):
    a = np.asarray(a, dtype=F)
    return a * (F(1) - a)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        rng = np.random.default_rng(seed)
        self.weights_input_hidden = rng.standard_normal((input_size, hidden_size), dtype=F)
        self.weights_hidden_output = rng.standard_normal((hidden_size, output_size), dtype=F)
        self.bias_hidden = np.zeros(hidden_size, dtype=F)
        self.bias_output = np.zeros(output_size, dtype=F)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        inputs = np.asarray(inputs, dtype=F)
        self.hidden_layer_input = inputs @ self.weights_input_hidden.astype(F) + self.bias_hidden.astype(F)
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = (self.hidden_layer_output @ self.weights_hidden_output.astype(F)
                                   + self.bias_output.astype(F))
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        inputs = np.asarray(inputs, dtype=F)
        output_delta = (np.asarray(actual_output, F) - np.asarray(predicted_output, F)) * sigmoid_derivative(predicted_output)
        hidden_delta = (output_delta @ self.weights_hidden_output.astype(F).T) * sigmoid_derivative(self.hidden_layer_output)
        rate = F(self.learning_rate)
        self.weights_hidden_output += rate * (np.asarray(self.hidden_layer_output, F).T @ output_delta)
        self.bias_output += rate * output_delta.sum(axis=0)
        self.weights_input_hidden += rate * (inputs.T @ hidden_delta)
        self.bias_hidden += rate * hidden_delta.sum(axis=0)

    def train(self, inputs, labels, epochs=10000):
        losses = []
        for _ in range(epochs):
            output = self.forward(inputs)
            losses.append(float(F(0.5) * np.sum((np.asarray(labels, F) - output) ** 2)))
            self.backward(inputs, labels, output)
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 6, 1, learning_rate=3.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=600)
    return network

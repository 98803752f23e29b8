"""Correct variant: the lesson's own style (np.dot, error = actual - predicted, +=), tanh-form sigmoid.

XOR: 4 hidden units, learning rate 1, uniform(-1, 1) initial weights and biases, 5000 epochs.
"""

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    # sigma(x) = (1 + tanh(x / 2)) / 2: tanh never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigmoid_derivative(a):
    return a * (1 - a)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        rng = np.random.default_rng(seed)
        self.weights_input_hidden = rng.uniform(-1, 1, (input_size, hidden_size))
        self.weights_hidden_output = rng.uniform(-1, 1, (hidden_size, output_size))
        self.bias_hidden = rng.uniform(-1, 1, hidden_size)
        self.bias_output = rng.uniform(-1, 1, output_size)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        self.hidden_layer_input = np.dot(inputs, self.weights_input_hidden) + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.dot(self.hidden_layer_output, self.weights_hidden_output) + self.bias_output
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        output_error = actual_output - predicted_output
        output_delta = output_error * sigmoid_derivative(predicted_output)

        hidden_error = output_delta.dot(self.weights_hidden_output.T)
        hidden_delta = hidden_error * sigmoid_derivative(self.hidden_layer_output)

        self.weights_hidden_output += self.learning_rate * self.hidden_layer_output.T.dot(output_delta)
        self.bias_output += self.learning_rate * np.sum(output_delta, axis=0)

        self.weights_input_hidden += self.learning_rate * inputs.T.dot(hidden_delta)
        self.bias_hidden += self.learning_rate * np.sum(hidden_delta, axis=0)

    def train(self, inputs, labels, epochs=10000):
        losses = []
        for _ in range(epochs):
            output = self.forward(inputs)
            losses.append(float(np.sum(np.square(labels - output)) / 2))
            self.backward(inputs, labels, output)
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    mlp = MLP(input_size=2, hidden_size=4, output_size=1, learning_rate=1.0, seed=seed)
    mlp.train(XOR_INPUTS, XOR_LABELS, epochs=5000)
    return mlp

"""Correct variant: every function keeps its input's float dtype (float32 in, float32 out), logaddexp sigmoid.

sigmoid(x) = exp(-logaddexp(0, -x)) in x's own dtype never overflows; integers become float64 first. backward()
writes through np.subtract(..., out=parameter) and np.outer-free matrix products (np.matmul).
XOR: 5 hidden units, learning rate 2.5, 1500 epochs.
"""

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def _floats(x):
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def sigmoid(x):
    x = _floats(x)
    # exp(-log(1 + exp(-x))), computed by logaddexp in x's own dtype without overflow
    return np.exp(-np.logaddexp(np.zeros((), dtype=x.dtype), -x))


def sigmoid_derivative(a):
    a = _floats(a)
    return a * (1 - a)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        generator = np.random.Generator(np.random.PCG64(seed))
        self.weights_input_hidden = generator.standard_normal((input_size, hidden_size))
        self.weights_hidden_output = generator.standard_normal((hidden_size, output_size))
        self.bias_hidden = np.zeros((hidden_size,))
        self.bias_output = np.zeros((output_size,))
        self.learning_rate = learning_rate

    def forward(self, inputs):
        self.hidden_layer_input = np.matmul(inputs, self.weights_input_hidden) + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.matmul(self.hidden_layer_output, self.weights_hidden_output) + self.bias_output
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        output_delta = np.subtract(actual_output, predicted_output) * sigmoid_derivative(predicted_output)
        hidden_delta = np.matmul(output_delta, self.weights_hidden_output.T) * sigmoid_derivative(self.hidden_layer_output)
        updates = [(self.weights_hidden_output, np.matmul(self.hidden_layer_output.T, output_delta)),
                   (self.bias_output, output_delta.sum(axis=0)),
                   (self.weights_input_hidden, np.matmul(np.transpose(inputs), hidden_delta)),
                   (self.bias_hidden, hidden_delta.sum(axis=0))]
        for parameter, update in updates:
            np.subtract(parameter, -self.learning_rate * update, out=parameter, casting="unsafe")

    def train(self, inputs, labels, epochs=10000):
        history = []
        for _ in range(epochs):
            output = self.forward(inputs)
            history.append(float(np.sum((labels - output) ** 2) / 2))
            self.backward(inputs, labels, output)
        return history

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 5, 1, learning_rate=2.5, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 1500)
    return network

"""Correct variant: einsum, explicit gradients of L subtracted with -=, a masked branch-on-sign sigmoid.

XOR: 8 hidden units, learning rate 1.5, 3000 epochs, and train_xor draws its own
uniform(-1, 1) starting weights from the seed before training.
"""

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def sigmoid_derivative(a):
    return np.multiply(a, np.subtract(1.0, a))


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        rng = np.random.default_rng(seed)
        self.weights_input_hidden = rng.normal(0.0, 0.5, size=(input_size, hidden_size))
        self.weights_hidden_output = rng.normal(0.0, 0.5, size=(hidden_size, output_size))
        self.bias_hidden = np.zeros(hidden_size)
        self.bias_output = np.zeros(output_size)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        self.hidden_layer_input = np.einsum("...i,ij->...j", inputs, self.weights_input_hidden) + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = (np.einsum("...j,jk->...k", self.hidden_layer_output, self.weights_hidden_output)
                                   + self.bias_output)
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        # dL/d(output_layer_input) for L = 1/2 sum (actual - predicted)^2
        grad_output_in = (predicted_output - actual_output) * sigmoid_derivative(predicted_output)
        grad_hidden_in = (np.einsum("nk,jk->nj", grad_output_in, self.weights_hidden_output)
                          * sigmoid_derivative(self.hidden_layer_output))
        grads = {
            "weights_hidden_output": np.einsum("nj,nk->jk", self.hidden_layer_output, grad_output_in),
            "bias_output": np.einsum("nk->k", grad_output_in),
            "weights_input_hidden": np.einsum("ni,nj->ij", inputs, grad_hidden_in),
            "bias_hidden": np.einsum("nj->j", grad_hidden_in),
        }
        for name, grad in grads.items():
            parameter = getattr(self, name)
            parameter -= self.learning_rate * grad

    def train(self, inputs, labels, epochs=10000):
        history = []
        for epoch in range(epochs):
            predicted = self.forward(inputs)
            history.append(0.5 * np.sum((predicted - labels) ** 2).item())
            self.backward(inputs, labels, predicted)
        return history

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 8, 1, learning_rate=1.5, seed=seed)
    rng = np.random.default_rng([seed, 1])
    network.weights_input_hidden = rng.uniform(-1, 1, network.weights_input_hidden.shape)
    network.weights_hidden_output = rng.uniform(-1, 1, network.weights_hidden_output.shape)
    network.train(XOR_INPUTS, XOR_LABELS, 3000)
    return network

# Origin: ai.ppradosh.com/2026/april/26/the-geometry-of-probability-the-sigmoid-function
# ("the engineering fix": np.clip(z, -250, 250) before the exponential).
# Adapted to solutions/mlp.py's interface. Changes: written as sigmoid(); the rest of the module
# is the interface's stubs.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(z):
    z = np.clip(z, -250, 250)
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(a):
    raise NotImplementedError("sigmoid_derivative is not implemented yet")


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        raise NotImplementedError("MLP is not implemented yet")

    def forward(self, inputs):
        raise NotImplementedError("forward is not implemented yet")

    def backward(self, inputs, actual_output, predicted_output):
        raise NotImplementedError("backward is not implemented yet")

    def train(self, inputs, labels, epochs=10000):
        raise NotImplementedError("train is not implemented yet")

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    raise NotImplementedError("train_xor is not implemented yet")

# Origin: github.com/krrn0722/wake_sleep, functions.py (sigmoid as
# exp(min(x, 0)) / (1 + exp(-|x|)), which never exponentiates a positive number).
# Adapted to solutions/mlp.py's interface. Changes: only sigmoid() taken (the file's torch
# version left out); the rest of the module is the interface's stubs.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return np.exp(np.minimum(x, 0)) / (1 + np.exp(- np.abs(x)))


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

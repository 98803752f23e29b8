# Origin: errorhandle.ai/optimal-way-of-defining-a-numerically-stable-sigmoid-function-for-a-list-in-python
# (stable_sigmoid: np.array(x) first, then the two branches through masks into a float64 array).
# Adapted to solutions/mlp.py's interface. Changes: stable_sigmoid renamed sigmoid; the rest of
# the module is the interface's stubs.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    x = np.array(x)  # Ensure input is a NumPy array
    out = np.empty_like(x, dtype=np.float64)
    positive = x >= 0
    negative = ~positive
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    exp_x = np.exp(x[negative])
    out[negative] = exp_x / (1 + exp_x)
    return out


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

# Origin: boldena.com/article/0d98f07f-fd9e-44e6-8ebb-72c4de56321b/overflow-error-in-pythons-numpyexp-function
# (answer: stable_sigmoid with np.where, presented as free of overflow warnings).
# Adapted to solutions/mlp.py's interface. Changes: stable_sigmoid renamed sigmoid; the rest of
# the module is the interface's stubs.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    """ Compute the sigmoid function in a numerically stable way. """
    return np.where(x >= 0,
                    1 / (1 + np.exp(-x)),
                    np.exp(x) / (1 + np.exp(x)))


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

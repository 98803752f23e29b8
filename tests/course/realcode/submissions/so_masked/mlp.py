# Origin: stackoverflow.com/questions/51976461 (the same thread): the accepted masked version,
# _positive_sigmoid / _negative_sigmoid written into np.empty_like(x) through boolean masks.
# Adapted to solutions/mlp.py's interface. Changes: dtype=np.float (removed from NumPy)
# became dtype=float; the rest of the module is the interface's stubs.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def _positive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _negative_sigmoid(x):
    # Cache exp so you won't have to calculate it twice
    exp = np.exp(x)
    return exp / (exp + 1)


def sigmoid(x):
    positive = x >= 0
    # Boolean array inversion is faster than another comparison
    negative = ~positive

    # empty contains junk hence will be faster to allocate
    # Zeros has to zero-out the array after allocation, no need for that
    result = np.empty_like(x, dtype=float)
    result[positive] = _positive_sigmoid(x[positive])
    result[negative] = _negative_sigmoid(x[negative])

    return result


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

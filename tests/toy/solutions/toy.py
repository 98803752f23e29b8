"""A toy course for the engine's own tests: a NumPy function, a class graded with a stand-in,
a hidden-only exercise and a slow one. Not a lesson: only what the engine's tests need."""

import numpy as np


def scale(x, factor):
    """Multiply every entry by a number.

    Args:
        x: array of any shape.
        factor: a number.
    Returns:
        Array shaped like x: x * factor, as floats.
    """
    # TODO: convert x to a float array, then multiply it by factor.
    ### BEGIN SOLUTION
    return np.asarray(x, dtype=float) * factor
    ### END SOLUTION


def total(x):
    """The sum of every entry.

    Args:
        x: array of any shape.
    Returns:
        A float: the sum of x's entries.
    """
    # TODO: add up every entry of x.
    ### BEGIN SOLUTION
    return float(np.sum(x))
    ### END SOLUTION


class Line:
    """y = x @ weights + bias, for x of shape (N, D)."""

    def __init__(self, size, seed=0):
        """weights (D,) drawn from np.random.default_rng(seed); bias 0.0."""
        # TODO: draw self.weights of shape (size,) from np.random.default_rng(seed); set self.bias = 0.0.
        ### BEGIN SOLUTION
        self.weights = np.random.default_rng(seed).normal(size=size)
        self.bias = 0.0
        ### END SOLUTION

    def predict(self, x):
        """x (N, D) -> (N,): scale(x, 1.0) @ weights + bias, also kept as self.output."""
        # TODO: compute scale(x, 1.0) @ self.weights + self.bias, keep it as self.output and return it.
        ### BEGIN SOLUTION
        self.output = scale(x, 1.0) @ self.weights + self.bias
        return self.output
        ### END SOLUTION


def fit(x, y, epochs):
    """Fit a Line to (x (N, D), y (N,)) by `epochs` steps of gradient descent (rate 0.1) on the mean
    squared error, from Line(D, seed=0); returns the Line's weights (D,)."""
    # TODO: repeat epochs times: predict, then move weights and bias against the gradient.
    ### BEGIN SOLUTION
    line = Line(x.shape[1], seed=0)
    for _ in range(epochs):
        error = line.predict(x) - y
        line.weights = line.weights - 0.1 * 2 * x.T @ error / len(y)
        line.bias = line.bias - 0.1 * 2 * float(np.mean(error))
    return line.weights
    ### END SOLUTION

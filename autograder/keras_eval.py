"""Score a trained dense Keras model with NumPy alone.

A grader can pull the weights out of a student's model and evaluate them here, so the
numbers it reports do not depend on TensorFlow (or its thread settings) in the grader.
Shapes: N samples, D inputs, K classes; a layer maps `in` features to `out`.
"""

import numpy as np


def _softmax(z):
    # shifting by the row max keeps exp() from overflowing; the result is unchanged
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "softmax": _softmax,
    "sigmoid": lambda z: np.exp(-np.logaddexp(0.0, -z)),  # never overflows, unlike 1/(1+e^-z)
    "tanh": np.tanh,
    "linear": lambda z: z,
}


def dense_stack_predict(layers, x):
    """Run x through a stack of dense layers.

    Args:
        layers: list of {"kernel": (in, out) array, "bias": (out,) array, "activation": str},
            first layer first; activation is one of relu, softmax, sigmoid, tanh, linear.
        x: array of shape (N, D), D = the first kernel's `in`.
    Returns:
        float64 array of shape (N, K): the last layer's output, class probabilities when it
        is a softmax layer.
    """
    a = np.asarray(x, dtype=np.float64)
    for i, layer in enumerate(layers):
        kernel = np.asarray(layer["kernel"], dtype=np.float64)
        bias = np.asarray(layer["bias"], dtype=np.float64)
        name = layer["activation"]
        if name not in ACTIVATIONS:
            raise ValueError(f"layer {i}: activation {name!r} is not one of {sorted(ACTIVATIONS)}")
        if a.shape[-1] != kernel.shape[0] or bias.shape != kernel.shape[1:]:
            raise ValueError(f"layer {i}: input has {a.shape[-1]} features but kernel is "
                             f"{kernel.shape} and bias {bias.shape}")
        a = ACTIVATIONS[name](a @ kernel + bias)
    return a


def accuracy(layers, x, y):
    """Fraction of the N samples in x whose most probable class is the label in y (N,)."""
    return float(np.mean(dense_stack_predict(layers, x).argmax(axis=1) == np.asarray(y)))


def confusion_matrix(pred, y, k=10):
    """Count of each (true class, predicted class) pair.

    Args:
        pred: predicted classes (N,), or class scores (N, k) whose argmax is taken.
        y: true classes (N,), integers in 0..k-1.
        k: number of classes.
    Returns:
        int64 array of shape (k, k); row = true class, column = predicted, so the diagonal
        holds the correct predictions.
    """
    pred = np.asarray(pred)
    if pred.ndim == 2:
        pred = pred.argmax(axis=1)
    y = np.asarray(y).astype(np.int64)
    return np.bincount(y * k + pred.astype(np.int64), minlength=k * k).reshape(k, k)

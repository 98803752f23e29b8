"""Score a trained Keras model with NumPy alone.

A grader pulls the layers out of a student's model (keras_checks.probe) and evaluates them
here, so the numbers it reports do not depend on TensorFlow (or its thread settings) in the
grader, and test digits never enter the sandbox. Any chain of Dense, Activation and
BatchNormalization layers (Dropout, Flatten and InputLayer pass inputs through) can be scored.
Shapes: N samples, D inputs, K classes; a layer maps `in` features to `out`.
"""

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[float])


def _softmax(z):
    # shifting by the row max keeps exp() from overflowing; the result is unchanged
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # never overflows, unlike 1/(1+e^-z)


def _softplus(z):
    return np.logaddexp(0.0, z)


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


ACTIVATIONS = {  # Keras 3's definitions, with its default parameters
    "relu": lambda z: np.maximum(z, 0.0),
    "softmax": _softmax,
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "linear": lambda z: z,
    "elu": _elu,
    "selu": lambda z: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0.0))),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))),
    "silu": lambda z: z * _sigmoid(z),
    "softplus": _softplus,
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "relu6": lambda z: np.clip(z, 0.0, 6.0),
    "hard_sigmoid": lambda z: np.clip(z + 3.0, 0.0, 6.0) / 6.0,
    "hard_silu": lambda z: z * np.clip(z + 3.0, 0.0, 6.0) / 6.0,
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "exponential": np.exp,
}


def dense_stack_predict(layers, x):
    """Run x through a chain of layers.

    Args:
        layers: list, first layer first, of
            {"kernel": (in, out) array, "bias": (out,) array, "activation": str} (a Dense layer),
            {"kind": "activation", "activation": str} (an Activation layer), or
            {"kind": "batchnorm", "gamma", "beta", "mean", "variance": (features,) arrays, "epsilon": float};
            activation is one of ACTIVATIONS.
        x: array of shape (N, D), D = the first kernel's `in`.
    Returns:
        float64 array of shape (N, K): the last layer's output, class probabilities when it
        is a softmax layer.
    Raises:
        ValueError: a layer of another kind, an unknown activation, or shapes that do not fit.
    """
    a = np.asarray(x, dtype=np.float64)
    for i, layer in enumerate(layers):
        kind = layer.get("kind", "dense")
        name = layer.get("activation", "linear")
        if name not in ACTIVATIONS:
            raise ValueError(f"layer {i}: activation {name!r} is not one of {sorted(ACTIVATIONS)}")
        if kind == "activation":
            a = ACTIVATIONS[name](a)
        elif kind == "batchnorm":
            gamma, beta, mean, variance = (np.asarray(layer[key], dtype=np.float64)
                                           for key in ("gamma", "beta", "mean", "variance"))
            if not gamma.shape == beta.shape == mean.shape == variance.shape == a.shape[-1:]:
                raise ValueError(f"layer {i}: batch normalization of {gamma.shape} features, input has {a.shape[-1]}")
            a = gamma * (a - mean) / np.sqrt(variance + float(layer["epsilon"])) + beta
        elif kind == "dense":
            kernel = np.asarray(layer["kernel"], dtype=np.float64)
            bias = np.asarray(layer["bias"], dtype=np.float64)
            if kernel.ndim != 2 or a.shape[-1] != kernel.shape[0] or bias.shape != kernel.shape[1:]:
                raise ValueError(f"layer {i}: input has {a.shape[-1]} features but kernel is "
                                 f"{kernel.shape} and bias {bias.shape}")
            a = ACTIVATIONS[name](a @ kernel + bias)
        else:
            raise ValueError(f"layer {i}: a {layer.get('class', kind)} layer, which the grader cannot score")
    return a


def predict_classes(layers, x, rows=1000):
    """The most probable class of each of the N samples in x, computed `rows` samples at a time so
    that a wide network's activations never take more than rows x width floats."""
    return np.concatenate([dense_stack_predict(layers, x[i:i + rows]).argmax(axis=1)
                           for i in range(0, len(x), rows)] or [np.zeros(0, np.int64)])


def are_probabilities(outputs, classes: int = 10, atol: float = 1e-3) -> bool:
    """outputs is (N, classes), every row non-negative and summing to 1 (a softmax output)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    return bool(outputs.ndim == 2 and outputs.shape[1] == classes and np.all(np.isfinite(outputs))
                and np.all(outputs >= -atol) and np.allclose(outputs.sum(axis=1), 1.0, atol=atol))


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
